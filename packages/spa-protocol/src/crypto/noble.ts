/** The portable backend: audited pure-JS noble primitives, for any JS runtime. @module */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, concatBytes, equalBytes } from '@noble/curves/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import type { CryptoBackend } from './backend.js';

const { Point } = ed25519;

/**
 * RFC 8032 §5.1.7 with the cofactorless equation, as OpenSSL checks it (docs/protocol.md §5): the
 * encoding of [S]B − [k]A must be exactly R. noble's own verify is cofactored ([8]-multiplied), which
 * accepts a signature whose R carries a small-order component, so it is not used. Comparing encodings
 * also refuses a non-canonical or off-curve R without decoding it. Public data only: the variable-time
 * multiplication leaks nothing.
 */
function verifyCofactorless(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const r = signature.subarray(0, 32);
  const s = bytesToNumberLE(signature.subarray(32)); // S < L: multiplyUnsafe throws otherwise
  const a = Point.fromBytes(publicKey); // strict: y < p, and no x = 0 with the sign bit set
  const k = Point.Fn.create(bytesToNumberLE(sha512(concatBytes(r, publicKey, message))));
  return equalBytes(Point.BASE.multiplyUnsafe(s).subtract(a.multiplyUnsafe(k)).toBytes(), r);
}

export const nobleBackend: CryptoBackend = {
  name: 'noble',
  sha256: (data) => sha256(data),
  sha512: (data) => sha512(data),
  hmacSha256: (key, data) => hmac(sha256, key, data),
  hmacSha256Keyed(key) {
    // The keyed inner and outer states, hashed once; each message clones them.
    const keyed = hmac.create(sha256, key);
    return (data, length = data.length) => {
      if (!Number.isInteger(length) || length < 0 || length > data.length) {
        throw new RangeError(`keyed HMAC: length ${length} outside 0..${data.length}`);
      }
      return keyed.clone().update(data.subarray(0, length)).digest();
    };
  },
  hkdfSha256: (ikm, salt, info, length) => hkdf(sha256, ikm, salt, info, length),
  x25519PublicKey: (secret) => x25519.getPublicKey(secret),
  x25519(secret, publicKey) {
    try {
      return x25519.getSharedSecret(secret, publicKey);
    } catch {
      return undefined; // noble throws on an all-zero result; the caller maps it to a refusal
    }
  },
  chachaSeal: (key, nonce, plaintext, aad) => chacha20poly1305(key, nonce, aad).encrypt(plaintext),
  chachaOpen(key, nonce, sealed, aad) {
    try {
      return chacha20poly1305(key, nonce, aad).decrypt(sealed);
    } catch {
      return undefined;
    }
  },
  ed25519PublicKey: (seed) => ed25519.getPublicKey(seed),
  ed25519Sign: (seed, message) => ed25519.sign(message, seed),
  ed25519Verify(publicKey, message, signature) {
    try {
      return verifyCofactorless(publicKey, message, signature);
    } catch {
      return false;
    }
  },
};
