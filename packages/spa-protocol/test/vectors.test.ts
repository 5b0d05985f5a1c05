/** Known-answer vectors: both backends build the valid datagrams byte for byte, refuse each invalid one for its stated reason, and refuse each weak client list. */
import { readFileSync } from 'node:fs';
import { nodeBackend } from 'spa-node';
import { hex, replayRandom, unhex } from 'spa-test-kit/forge/forge';
import { describe, expect, it } from 'vitest';
import { authenticateDatagram } from '../src/authenticate.js';
import {
  clientSecretsFromSeed,
  clientSecretsFromServerKey,
  computeClientTag,
  epochOf,
} from '../src/client-keys.js';
import { ClientTable } from '../src/client-table.js';
import { CLIENT_TAG_OFFSET, CLIENT_TAG_SIZE, KEY_SIZE, PROTOCOL_VERSION } from '../src/constants.js';
import { nobleBackend } from '../src/crypto/noble.js';
import { decodeDatagram } from '../src/decode.js';
import { computeKeyId } from '../src/keys.js';
import { encodeDatagram, precheckDatagram } from '../src/packet.js';
import { PROTOCOL_REFUSALS, type RefusalReason } from '../src/refusal.js';
import type { KnockRequest } from '../src/request.js';
import { createServerContext } from '../src/server-context.js';
import { codeOf } from './code-of.js';

interface ValidVector {
  name: string;
  serverSecretKey: string;
  serverPublicKey: string;
  clientSecretKey: string;
  clientPublicKey: string;
  clientX25519PublicKey: string;
  keyId: string;
  tagKey: string;
  macKey: string;
  epoch: number;
  clientTag: string;
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
  replayMemory: { keyId: string; nonce: string }[];
  datagram: string;
  expect: RefusalReason;
}
interface TableVector {
  name: string;
  serverSecretKey: string;
  clients: string[];
  expect: string;
}

const file = (name: string) =>
  JSON.parse(readFileSync(new URL(`./vectors/${name}`, import.meta.url), 'utf8'));
const validVectors: ValidVector[] = file('valid.json').vectors;
const invalidFile = file('invalid.json');
const invalidVectors: InvalidVector[] = invalidFile.vectors;
const tableVectors: TableVector[] = invalidFile.tables;

const toClients = (keys: string[]) => keys.map((k) => ({ publicKey: unhex(k) }));

for (const backend of [nobleBackend, nodeBackend]) {
  /** Both replay hooks answer from the vector's replay memory, as a server's one store would. */
  const replayHooks = (memory: InvalidVector['replayMemory']) => {
    const has = (keyId: Uint8Array, nonce: Uint8Array): RefusalReason | undefined =>
      memory.some((m) => m.keyId === hex(keyId) && m.nonce === hex(nonce)) ? 'replay' : undefined;
    return {
      seen: (client: { publicKey: Uint8Array }, nonce: Uint8Array) =>
        has(computeKeyId(backend, client.publicKey), nonce),
      replay: (knock: { keyId: Uint8Array; nonce: Uint8Array }) => has(knock.keyId, knock.nonce),
    };
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

    it.each(validVectors.map((v) => [v.name, v] as const))(
      'derives the same tag key, MAC key and client tag on both sides for %s',
      (_, v) => {
        const clientPublic = unhex(v.clientPublicKey);
        const serverPublic = unhex(v.serverPublicKey);
        // The client's X25519 key is the scalar half of SHA-512(seed), X25519 clamping it.
        const scalar = backend.sha512(unhex(v.clientSecretKey)).slice(0, KEY_SIZE);
        expect(hex(backend.x25519PublicKey(scalar))).toBe(v.clientX25519PublicKey);
        const fromSeed = clientSecretsFromSeed(backend, unhex(v.clientSecretKey), clientPublic, serverPublic);
        const fromServer = clientSecretsFromServerKey(
          backend,
          unhex(v.serverSecretKey),
          serverPublic,
          clientPublic,
        );
        for (const secrets of [fromSeed, fromServer]) {
          expect(secrets && hex(secrets.tagKey)).toBe(v.tagKey);
          expect(secrets && hex(secrets.macKey)).toBe(v.macKey);
        }
        expect(epochOf(v.timestampMs)).toBe(v.epoch);
        expect(hex(computeClientTag(backend, unhex(v.tagKey), v.epoch))).toBe(v.clientTag);
        const datagram = unhex(v.datagram);
        expect(hex(datagram.subarray(CLIENT_TAG_OFFSET, CLIENT_TAG_OFFSET + CLIENT_TAG_SIZE))).toBe(
          v.clientTag,
        );
      },
    );

    it.each(validVectors.map((v) => [v.name, v] as const))('accepts %s with every field intact', (_, v) => {
      const ctx = createServerContext(backend, unhex(v.serverSecretKey));
      const alice = { publicKey: unhex(v.clientPublicKey) };
      const table = new ClientTable(ctx, [alice]);
      const result = decodeDatagram(ctx, table, unhex(v.datagram), {
        nowMs: v.nowMs,
        windowMs: v.windowMs,
        futureWindowMs: v.futureWindowMs,
        ...replayHooks([]),
      });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value.client).toBe(alice);
      const { knock } = result.value;
      expect(knock).toMatchObject({ ...v.request, timestampMs: v.timestampMs, version: PROTOCOL_VERSION });
      expect(hex(knock.nonce)).toBe(v.nonce);
      expect(hex(knock.keyId)).toBe(v.keyId);
    });

    it.each(invalidVectors.map((v) => [v.name, v.expect, v] as const))('refuses %s as %s', (_, reason, v) => {
      const ctx = createServerContext(backend, unhex(v.serverSecretKey));
      const datagram = unhex(v.datagram);
      const options = {
        nowMs: v.nowMs,
        windowMs: v.windowMs,
        futureWindowMs: v.futureWindowMs,
        ...replayHooks(v.replayMemory),
      };
      expect(decodeDatagram(ctx, new ClientTable(ctx, toClients(v.clients)), datagram, options)).toEqual({
        ok: false,
        reason,
      });
      // The same refusal from the two steps a server runs apart (its rate limiter and queue between).
      const table = new ClientTable(ctx, toClients(v.clients));
      table.advance(v.nowMs, v.windowMs, v.futureWindowMs);
      const early = precheckDatagram(table, datagram, options.seen);
      if (!early.ok) expect(early.reason).toBe(reason);
      else expect(authenticateDatagram(ctx, datagram, early.value, options)).toEqual({ ok: false, reason });
    });

    it.each(tableVectors.map((v) => [v.name, v.expect, v] as const))(
      'refuses a client table with %s as %s',
      (_, code, v) => {
        const ctx = createServerContext(backend, unhex(v.serverSecretKey));
        expect(codeOf(() => new ClientTable(ctx, toClients(v.clients)))).toBe(code);
      },
    );
  });
}

describe('vector files', () => {
  it('cover every protocol refusal reason the decoder can give', () => {
    const reasons = new Set(invalidVectors.map((v) => v.expect));
    for (const r of PROTOCOL_REFUSALS) expect(reasons).toContain(r);
  });

  it('are version 2 datagrams, as small as 260 bytes', () => {
    for (const v of validVectors) expect(unhex(v.datagram)[0]).toBe(2);
    expect(Math.min(...validVectors.map((v) => v.datagram.length / 2))).toBe(260);
  });
});
