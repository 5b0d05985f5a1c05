/** The demo's opening step, in-process: one datagram built by a client and checked by a server; a replay and a forgery refused. @module */

import { nodeBackend } from 'spa-node';
import {
  ClientTable,
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
    `${datagram.length} bytes: ${hex(datagram.subarray(0, 20))}… (a tag that changes every minute; no name, no service)`,
  );

  const ctx = createServerContext(nodeBackend, server.secretKey);
  // The server's client table: alice's tag key and MAC key, derived from the two static keys.
  const table = new ClientTable(ctx, [{ publicKey: alice.publicKey, name: 'alice' }]);
  const seen = new Set<string>();
  const options = {
    nowMs: Date.now(),
    windowMs: 60_000,
    seen: (_: unknown, nonce: Uint8Array) =>
      seen.has(aliceId + hex(nonce)) ? ('replay' as const) : undefined,
    replay: (k: SignedKnock) => (seen.has(hex(k.keyId) + hex(k.nonce)) ? ('replay' as const) : undefined),
  };
  const first = decodeDatagram(ctx, table, datagram, options);
  if (first.ok) seen.add(hex(first.value.knock.keyId) + hex(first.value.knock.nonce));
  say.check(
    first.ok,
    `the server's checks accept it: ${first.ok ? first.value.client.name : '?'} asks to open ssh`,
  );
  const replay = decodeDatagram(ctx, table, datagram, options);
  say.check(!replay.ok, `the same bytes again: refused (${replay.ok ? 'ACCEPTED' : replay.reason})`);
  const flipped = datagram.slice();
  flipped[100]! ^= 1;
  const tampered = decodeDatagram(ctx, table, flipped, options);
  say.check(!tampered.ok, `one bit flipped: refused (${tampered.ok ? 'ACCEPTED' : tampered.reason})`);
}
