/** A first look at the protocol: keys, one datagram built by a client and checked by a server, a replay and a forgery refused. @module */
import {
  computeKeyId,
  createServerContext,
  decodeDatagram,
  encodeDatagram,
  formatPublicKey,
  generateKeyPair,
  type SignedKnock,
} from 'spa-protocol';
import { nodeBackend } from 'spa-protocol/node';

const say = (s: string) => console.log(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export function packetWalkthrough(): boolean {
  const server = generateKeyPair(nodeBackend, 'server');
  const alice = generateKeyPair(nodeBackend, 'client');
  const aliceId = hex(computeKeyId(nodeBackend, alice.publicKey));
  say(`server key  ${formatPublicKey('server', server.publicKey)}`);
  say(`client key  ${formatPublicKey('client', alice.publicKey)} (key id ${aliceId.slice(0, 8)}…)`);

  const { datagram } = encodeDatagram({
    backend: nodeBackend,
    serverPublicKey: server.publicKey,
    clientSecretKey: alice.secretKey,
    request: { kind: 'open', access: [{ type: 'service', name: 'ssh' }], addresses: [], durationSeconds: 30 },
  });
  say(
    `datagram    ${datagram.length} bytes: ${hex(datagram.subarray(0, 24))}… (sealed: an observer sees no name, no service)`,
  );

  const ctx = createServerContext(nodeBackend, server.secretKey);
  const seen = new Set<string>();
  const options = {
    lookup: (id: Uint8Array) =>
      hex(id) === aliceId ? { publicKey: alice.publicKey, name: 'alice' } : undefined,
    nowMs: Date.now(),
    windowMs: 60_000,
    isReplay: (k: SignedKnock) => seen.has(hex(k.keyId) + hex(k.nonce)),
  };
  const first = decodeDatagram(ctx, datagram, options);
  if (!first.ok) return false;
  seen.add(hex(first.value.knock.keyId) + hex(first.value.knock.nonce));
  say(
    `server      accepted: ${first.value.client.name} asks to open ${first.value.knock.access.map((a) => (a.type === 'service' ? a.name : `${a.type}/${a.port}`)).join(', ')} for 30 s`,
  );
  const replay = decodeDatagram(ctx, datagram, options);
  say(`replay      ${replay.ok ? 'ACCEPTED (wrong!)' : `refused: ${replay.reason}`}`);
  const flipped = datagram.slice();
  flipped[100]! ^= 1;
  const tampered = decodeDatagram(ctx, flipped, options);
  say(`tampered    ${tampered.ok ? 'ACCEPTED (wrong!)' : `refused: ${tampered.reason}`}`);
  return !replay.ok && !tampered.ok;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(packetWalkthrough() ? 0 : 1);
