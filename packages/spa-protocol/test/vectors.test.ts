/** Known-answer vectors: both backends build the valid datagrams byte for byte and refuse each invalid one for its stated reason. */
import { readFileSync } from 'node:fs';
import { nodeBackend } from 'spa-node';
import { hex, replayRandom, unhex } from 'spa-test-kit/forge/forge';
import { describe, expect, it } from 'vitest';
import { authenticateDatagram, NO_REPLAY_MEMORY } from '../src/authenticate.js';
import { nobleBackend } from '../src/crypto/noble.js';
import { decodeDatagram } from '../src/decode.js';
import { computeKeyId } from '../src/keys.js';
import { createServerContext, encodeDatagram, precheckDatagram } from '../src/packet.js';
import { PROTOCOL_REFUSALS } from '../src/refusal.js';
import type { KnockRequest } from '../src/request.js';

interface ValidVector {
  name: string;
  serverSecretKey: string;
  serverPublicKey: string;
  clientSecretKey: string;
  clientPublicKey: string;
  keyId: string;
  request: KnockRequest;
  timestampMs: number;
  nonce: string;
  ephemeralSecret: string;
  nowMs: number;
  windowMs: number;
  futureWindowMs: number;
  datagram: string;
}
interface InvalidVector {
  name: string;
  serverSecretKey: string;
  clients: string[];
  nowMs: number;
  windowMs: number;
  futureWindowMs: number;
  datagram: string;
  expect: string;
}

const load = <T>(file: string): T[] =>
  JSON.parse(readFileSync(new URL(`./vectors/${file}`, import.meta.url), 'utf8')).vectors;
const validVectors = load<ValidVector>('valid.json');
const invalidVectors = load<InvalidVector>('invalid.json');

for (const backend of [nobleBackend, nodeBackend]) {
  const lookupFrom = (clients: string[]) => {
    const keys = clients.map((c) => ({ publicKey: unhex(c), id: hex(computeKeyId(backend, unhex(c))) }));
    return (keyId: Uint8Array) => keys.find((k) => k.id === hex(keyId));
  };

  describe(`known-answer vectors, ${backend.name} backend`, () => {
    it.each(validVectors.map((v) => [v.name, v] as const))('builds %s byte for byte', (_, v) => {
      expect(hex(backend.x25519PublicKey(unhex(v.serverSecretKey)))).toBe(v.serverPublicKey);
      expect(hex(backend.ed25519PublicKey(unhex(v.clientSecretKey)))).toBe(v.clientPublicKey);
      expect(hex(computeKeyId(backend, unhex(v.clientPublicKey)))).toBe(v.keyId);
      const { datagram } = encodeDatagram({
        backend,
        serverPublicKey: unhex(v.serverPublicKey),
        clientSecretKey: unhex(v.clientSecretKey),
        request: v.request,
        now: () => v.timestampMs,
        random: replayRandom(unhex(v.nonce), unhex(v.ephemeralSecret)),
      });
      expect(hex(datagram)).toBe(v.datagram);
    });

    it.each(validVectors.map((v) => [v.name, v] as const))('accepts %s with every field intact', (_, v) => {
      const ctx = createServerContext(backend, unhex(v.serverSecretKey));
      const result = decodeDatagram(ctx, unhex(v.datagram), {
        lookup: lookupFrom([v.clientPublicKey]),
        nowMs: v.nowMs,
        windowMs: v.windowMs,
        replay: NO_REPLAY_MEMORY,
        futureWindowMs: v.futureWindowMs,
      });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const { knock } = result.value;
      expect(knock).toMatchObject({ ...v.request, timestampMs: v.timestampMs, version: 1 });
      expect(hex(knock.nonce)).toBe(v.nonce);
      expect(hex(knock.keyId)).toBe(v.keyId);
    });

    it.each(invalidVectors.map((v) => [v.name, v.expect, v] as const))('refuses %s as %s', (_, reason, v) => {
      const ctx = createServerContext(backend, unhex(v.serverSecretKey));
      const datagram = unhex(v.datagram);
      const options = {
        lookup: lookupFrom(v.clients),
        nowMs: v.nowMs,
        windowMs: v.windowMs,
        replay: NO_REPLAY_MEMORY,
        futureWindowMs: v.futureWindowMs,
      };
      expect(decodeDatagram(ctx, datagram, options)).toEqual({ ok: false, reason });
      // The same refusal from the two steps a server runs apart (its rate limiter and queue between).
      const early = precheckDatagram(ctx, datagram);
      if (early) expect(early).toBe(reason);
      else expect(authenticateDatagram(ctx, datagram, options)).toEqual({ ok: false, reason });
    });
  });
}

describe('vector files', () => {
  it('cover every protocol refusal reason the decoder can give', () => {
    const reasons = new Set(invalidVectors.map((v) => v.expect));
    // A replay takes two datagrams: no single vector can show it.
    for (const r of PROTOCOL_REFUSALS.filter((reason) => reason !== 'replay')) expect(reasons).toContain(r);
  });
});
