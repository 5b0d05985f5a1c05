/** The Node backend: the same primitives through node:crypto (OpenSSL), ~12x faster Ed25519 verify and no cold import of noble. @module */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hash,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import type { CryptoBackend } from 'spa-protocol';
import { bytesOfDigest } from './digest-text.js';
import { hkdfSha256 } from './hkdf.js';
import { hmacSha256, keyedHmacSha256 } from './keyed-hmac.js';

// DER prefixes that wrap a raw 32-byte key into PKCS#8 / SPKI, the only raw-key import node:crypto has
// on Node 20 (RFC 8410 §7 and §10.3).
const ED25519_PKCS8 = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const ED25519_SPKI = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);
const X25519_PKCS8 = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);
const X25519_SPKI = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00]);

const bytes = (b: Uint8Array | ArrayBuffer): Uint8Array =>
  b instanceof Uint8Array ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);

/** A Buffer over the same memory, no copy: for reading only. */
const view = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

const der = (prefix: Uint8Array, key: Uint8Array): Uint8Array => {
  const out = new Uint8Array(prefix.length + key.length);
  out.set(prefix);
  out.set(key, prefix.length);
  return out;
};

// Key objects are kept per key array: the server verifies with the same configured key arrays for
// every packet, and a client signs with one seed per knock; an import is a DER decode through
// OpenSSL 3's decoder chain (~0.5 ms on a busy host against ~40 µs for a signature). Each entry keeps
// the SHA-256 of the bytes it was made from, so an array whose contents changed (wiped, reused) gets
// a fresh key, never the old one. A digest, not a copy: a caller that wipes a secret array leaves no
// copy of it in the heap. One WeakMap per kind of key (an array is never taken for another kind), and
// no growth. The digest is latin1 text, compared in constant time: a Buffer per call was an off-heap
// store for each of a fleet's 10,000 agreements at its first start.
type KeyCache = WeakMap<Uint8Array, { readonly digest: string; readonly key: KeyObject }>;
const edSeeds: KeyCache = new WeakMap();
const xSecrets: KeyCache = new WeakMap();
const edPublics: KeyCache = new WeakMap();
function cached(cache: KeyCache, bytes: Uint8Array, make: () => KeyObject): KeyObject {
  const digest = hash('sha256', bytes, 'binary');
  const hit = cache.get(bytes);
  if (hit && sameText(hit.digest, digest)) return hit.key;
  const key = make();
  cache.set(bytes, { digest, key });
  return key;
}

/** Equal digests (latin1, 32 characters each), in time that does not depend on where they differ. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const edPrivate = (seed: Uint8Array): KeyObject =>
  cached(edSeeds, seed, () =>
    createPrivateKey({ key: Buffer.from(der(ED25519_PKCS8, seed)), format: 'der', type: 'pkcs8' }),
  );
const xPrivate = (secret: Uint8Array): KeyObject =>
  cached(xSecrets, secret, () =>
    createPrivateKey({ key: Buffer.from(der(X25519_PKCS8, secret)), format: 'der', type: 'pkcs8' }),
  );

export const nodeBackend: CryptoBackend = {
  name: 'node',
  // One-shot hash(): createHash costs ~17 µs a call on Node 20 (OpenSSL 3 fetches the digest each
  // time), hash() ~1.5 µs; a fleet's load hashes every key id. SHA-256 (key ids and labels, never a
  // secret here) as latin1 text copied into a heap array: a Buffer's off-heap store cost more than
  // the hash of a short message. SHA-512 hashes a client's seed: a Buffer, which the caller's wipe of
  // the returned view clears, not a string that would outlive it.
  sha256: (data) => bytesOfDigest(hash('sha256', data, 'binary')),
  sha512: (data) => bytes(hash('sha512', data, 'buffer')),
  hmacSha256,
  hmacSha256Keyed: keyedHmacSha256,
  hkdfSha256,
  x25519PublicKey(secret) {
    const spki = createPublicKey(xPrivate(secret)).export({ format: 'der', type: 'spki' });
    return bytes(spki).slice(X25519_SPKI.length);
  },
  x25519(secret, publicKey) {
    try {
      // A raw key as JWK, not DER: OpenSSL 3 runs DER through its generic decoder chain (~80 µs
      // per key on the benchmark machine, ~6 µs as JWK), and the server does this for every
      // datagram that passes mac2, and for every configured key when the client table is built.
      const peer = createPublicKey({
        key: { kty: 'OKP', crv: 'X25519', x: view(publicKey).toString('base64url') },
        format: 'jwk',
      });
      return bytes(diffieHellman({ privateKey: xPrivate(secret), publicKey: peer }));
    } catch {
      return undefined; // OpenSSL refuses an all-zero result, as noble does
    }
  },
  chachaSeal(key, nonce, plaintext, aad) {
    const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    const head = c.update(plaintext);
    const tail = c.final();
    const out = new Uint8Array(head.length + tail.length + 16);
    out.set(head);
    out.set(tail, head.length);
    out.set(c.getAuthTag(), head.length + tail.length);
    return out;
  },
  chachaOpen(key, nonce, sealed, aad) {
    if (sealed.length < 16) return undefined;
    try {
      const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
      d.setAAD(aad, { plaintextLength: sealed.length - 16 });
      d.setAuthTag(sealed.subarray(sealed.length - 16));
      const head = d.update(sealed.subarray(0, sealed.length - 16));
      const tail = d.final(); // throws when the tag does not verify
      const out = new Uint8Array(head.length + tail.length);
      out.set(head);
      out.set(tail, head.length);
      return out;
    } catch {
      return undefined;
    }
  },
  ed25519PublicKey(seed) {
    const spki = createPublicKey(edPrivate(seed)).export({ format: 'der', type: 'spki' });
    return bytes(spki).slice(ED25519_SPKI.length);
  },
  ed25519Sign: (seed, message) => bytes(sign(null, message, edPrivate(seed))),
  ed25519Verify(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      const key = cached(edPublics, publicKey, () =>
        createPublicKey({ key: Buffer.from(der(ED25519_SPKI, publicKey)), format: 'der', type: 'spki' }),
      );
      // OpenSSL checks the cofactorless equation, comparing the encoding of [S]B − [k]A with R:
      // the noble backend computes the same (docs/protocol.md §5).
      return verify(null, message, key, signature);
    } catch {
      return false;
    }
  },
};
