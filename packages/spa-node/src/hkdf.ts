/** HKDF-SHA256 (RFC 5869) as HMACs over node:crypto's one-shot hash(): the per-key derivation of a fleet's load. @module */
import { hash, hkdfSync } from 'node:crypto';

/*
 * Why not hkdfSync: on Node 20 each call wraps its key material in a KeyObject and runs the KDF
 * through OpenSSL's provider fetch, ~24 µs a call on the benchmark host; a first start derives two
 * keys per client (20,000 calls for 10,000 clients). Extract and one Expand block as RFC 2104 HMACs
 * over hash() cost ~11 µs with the same SHA-256, and leave no native handle for the GC to finalise.
 * Not over keyed-hmac's digests as text, though that took a client's two HKDFs from 14–19 to 8–12
 * µs: the PRK, T1 (the derived key itself) and Extract's inner digest would each outlive the call as
 * a string no one can wipe, and a datagram's seal key is derived here too.
 */

const BLOCK = 64;
const DIGEST = 32;
/** The longest output one Expand block gives; longer ones (never asked by the protocol) use hkdfSync. */
const ONE_BLOCK = DIGEST;

/** HMAC-SHA256(key, a ‖ b ‖ c): the pads and the message in one scratch each, wiped before returning. */
function _hmac(key: Uint8Array, a: Uint8Array, b: Uint8Array, c: Uint8Array): Buffer {
  const k = key.length > BLOCK ? hash('sha256', key, 'buffer') : key;
  const inner = Buffer.allocUnsafe(BLOCK + a.length + b.length + c.length);
  const outer = Buffer.allocUnsafe(BLOCK + DIGEST);
  for (let i = 0; i < BLOCK; i++) {
    const byte = i < k.length ? k[i]! : 0;
    inner[i] = byte ^ 0x36;
    outer[i] = byte ^ 0x5c;
  }
  inner.set(a, BLOCK);
  inner.set(b, BLOCK + a.length);
  inner.set(c, BLOCK + a.length + b.length);
  const innerDigest = hash('sha256', inner, 'buffer');
  outer.set(innerDigest, BLOCK);
  const mac = hash('sha256', outer, 'buffer');
  // Both hold key-derived pads, and `inner` the message (a shared secret for Extract); with a public
  // salt, the inner digest of Extract gives the PRK.
  inner.fill(0);
  outer.fill(0);
  innerDigest.fill(0);
  return mac;
}

const EMPTY = new Uint8Array(0);
const COUNTER_ONE = Uint8Array.of(1);

/** HKDF-SHA256's first `length` bytes: RFC 5869's Extract then Expand, the bytes hkdfSync gives. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > ONE_BLOCK) {
    return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
  }
  // An empty salt is HashLen zero bytes (RFC 5869 §2.2): HMAC pads a short key with zeros anyway.
  const prk = _hmac(salt, ikm, EMPTY, EMPTY);
  const t1 = _hmac(prk, info, COUNTER_ONE, EMPTY);
  prk.fill(0);
  const okm = new Uint8Array(length);
  okm.set(t1.subarray(0, length));
  t1.fill(0);
  return okm;
}
