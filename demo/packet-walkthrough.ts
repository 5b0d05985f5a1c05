/** The demo's opening step, in-process: one datagram built by a client and checked by a server; a replay and a forgery refused. @module */

import { nodeBackend } from 'spa-node';
import {
  computeKeyId,
  createServerContext,
  decodeDatagram,
  encodeDatagram,
  generateKeyPair,
  type SignedKnock,
} from 'spa-protocol';
import type { Narrator } from './narrator.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export function packetWalkthrough(say: Narrator): void {
  say.step('What a knock is: one sealed, signed datagram (built and checked in-process, no network yet)');
  const server = generateKeyPair(nodeBackend, 'server');
  const alice = generateKeyPair(nodeBackend, 'client');
  const aliceId = hex(computeKeyId(nodeBackend, alice.publicKey));
  const { datagram } = encodeDatagram({
    backend: nodeBackend,
    serverPublicKey: server.publicKey,
    clientSecretKey: alice.secretKey,
    request: { kind: 'open', access: [{ type: 'service', name: 'ssh' }], addresses: [], durationSeconds: 30 },
  });
  say.note(
    `${datagram.length} bytes: ${hex(datagram.subarray(0, 16))}… (an observer sees no name, no service)`,
  );

  const ctx = createServerContext(nodeBackend, server.secretKey);
  const seen = new Set<string>();
  const options = {
    lookup: (id: Uint8Array) =>
      hex(id) === aliceId ? { publicKey: alice.publicKey, name: 'alice' } : undefined,
    nowMs: Date.now(),
    windowMs: 60_000,
    replay: (k: SignedKnock) => (seen.has(hex(k.keyId) + hex(k.nonce)) ? ('replay' as const) : undefined),
  };
  const first = decodeDatagram(ctx, datagram, options);
  if (first.ok) seen.add(hex(first.value.knock.keyId) + hex(first.value.knock.nonce));
  say.check(
    first.ok,
    `the server's checks accept it: ${first.ok ? first.value.client.name : '?'} asks to open ssh`,
  );
  const replay = decodeDatagram(ctx, datagram, options);
  say.check(!replay.ok, `the same bytes again: refused (${replay.ok ? 'ACCEPTED' : replay.reason})`);
  const flipped = datagram.slice();
  flipped[100]! ^= 1;
  const tampered = decodeDatagram(ctx, flipped, options);
  say.check(!tampered.ok, `one bit flipped: refused (${tampered.ok ? 'ACCEPTED' : tampered.reason})`);
}
