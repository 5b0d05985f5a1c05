/** §6 client keys: the client's X25519 secret from its seed and the server's Montgomery form of its key meet in one shared secret, on both backends, as noble converts them. */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { nodeBackend } from 'spa-node';
import { hex, unhex } from 'spa-test-kit/forge/forge';
import { X25519_SMALL_ORDER_POINTS } from 'spa-test-kit/forge/x25519-small-order';
import { describe, expect, it } from 'vitest';
import {
  clientSecretsFromSeed,
  clientSecretsFromServerKey,
  computeClientTag,
  epochOf,
} from '../src/client-keys.js';
import { nobleBackend } from '../src/crypto/noble.js';

const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const u64be = (n: number): Uint8Array => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
};

describe.each([nobleBackend, nodeBackend])('client keys, $name backend', (backend) => {
  it("the seed's scalar is the secret of the Montgomery form of the Ed25519 key, as noble converts both", () => {
    fc.assert(
      fc.property(key, (seed) => {
        const montgomery = ed25519.utils.toMontgomery(backend.ed25519PublicKey(seed));
        const scalar = backend.sha512(seed).slice(0, 32); // unclamped: X25519 clamps it
        expect(hex(backend.x25519PublicKey(scalar))).toBe(hex(montgomery));
        expect(hex(backend.x25519PublicKey(ed25519.utils.toMontgomerySecret(seed)))).toBe(hex(montgomery));
      }),
      { numRuns: 30 },
    );
  });

  it('client and server derive one shared secret, and from it the same tag key and MAC key', () => {
    fc.assert(
      fc.property(key, key, (seed, serverSecret) => {
        const clientPublic = backend.ed25519PublicKey(seed);
        const serverPublic = backend.x25519PublicKey(serverSecret);
        const montgomery = ed25519.utils.toMontgomery(clientPublic);
        const fromClient = backend.x25519(backend.sha512(seed).slice(0, 32), serverPublic);
        const fromServer = backend.x25519(serverSecret, montgomery);
        const ss = x25519.getSharedSecret(ed25519.utils.toMontgomerySecret(seed), serverPublic);
        expect(fromClient && hex(fromClient)).toBe(hex(ss));
        expect(fromServer && hex(fromServer)).toBe(hex(ss));

        // §6: HKDF-SHA256(ss, salt = label, info = A ‖ S, 32), spelled out here with noble alone.
        const info = new Uint8Array([...clientPublic, ...serverPublic]);
        const expected = {
          tagKey: hex(hkdf(sha256, ss, ascii('spa-v2 tag key'), info, 32)),
          macKey: hex(hkdf(sha256, ss, ascii('spa-v2 mac key'), info, 32)),
        };
        const client = clientSecretsFromSeed(backend, seed, clientPublic, serverPublic);
        const server = clientSecretsFromServerKey(backend, serverSecret, serverPublic, clientPublic);
        for (const secrets of [client, server]) {
          expect(secrets && { tagKey: hex(secrets.tagKey), macKey: hex(secrets.macKey) }).toEqual(expected);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('derives nothing with a small-order server key (the client) or a key that is no point (the server)', () => {
    const seed = new Uint8Array(32).fill(9);
    const clientPublic = backend.ed25519PublicKey(seed);
    for (const u of X25519_SMALL_ORDER_POINTS) {
      expect(clientSecretsFromSeed(backend, seed, clientPublic, u), hex(u)).toBeUndefined();
    }
    const serverSecret = new Uint8Array(32).fill(3);
    const offCurve = unhex('0200000000000000000000000000000000000000000000000000000000000000'); // y = 2
    expect(
      clientSecretsFromServerKey(backend, serverSecret, backend.x25519PublicKey(serverSecret), offCurve),
    ).toBeUndefined();
  });

  it('makes the client tag of an epoch: HMAC(tagKey, "spa-v2 client tag" ‖ u64be(epoch)), first 16 bytes', () => {
    fc.assert(
      fc.property(key, fc.integer({ min: 0, max: 2 ** 40 }), (tagKey, epoch) => {
        const tag = computeClientTag(backend, tagKey, epoch);
        const expected = hmac(
          sha256,
          tagKey,
          new Uint8Array([...ascii('spa-v2 client tag'), ...u64be(epoch)]),
        );
        expect(hex(tag)).toBe(hex(expected.subarray(0, 16)));
        expect(hex(computeClientTag(backend, tagKey, epoch + 1))).not.toBe(hex(tag));
      }),
      { numRuns: 50 },
    );
  });
});

describe('epochOf', () => {
  it('is the minute a timestamp falls in, counted from the Unix epoch', () => {
    expect([0, 59_999, 60_000, 119_999, 120_000].map(epochOf)).toEqual([0, 0, 1, 1, 2]);
    expect(epochOf(1_767_225_600_000)).toBe(29_453_760); // 2026-01-01T00:00:00Z
  });
});
