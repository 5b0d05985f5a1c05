/** HKDF-SHA256 (RFC 5869) as two HMACs over node:crypto's one-shot hash(): the per-key derivation of a fleet's load. @module */
import { hkdfSync } from 'node:crypto';
import { hmacSha256 } from './keyed-hmac.js';

/*
 * Why not hkdfSync: on Node 20 each call wraps its key material in a KeyObject and runs the KDF
 * through OpenSSL's provider fetch, ~18 µs a call on the benchmark host; a first start derives two
 * keys per client (20,000 calls for 10,000 clients). Extract and one Expand block are two HMACs.
 * They go through keyed-hmac's scratch, digests taken as text: a client's two HKDFs took 14–19 µs with
 * a fresh Buffer per pad and per digest (twelve off-heap stores), 8–12 µs this way (10,000 clients'
 * in a loop, three runs each).
 */

const DIGEST = 32;
/** The longest output one Expand block gives; longer ones (never asked by the protocol) use hkdfSync. */
const ONE_BLOCK = DIGEST;

/** HKDF-SHA256's first `length` bytes: RFC 5869's Extract then Expand, the bytes hkdfSync gives. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > ONE_BLOCK) {
    return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
  }
  // An empty salt is HashLen zero bytes (RFC 5869 §2.2): HMAC pads a short key with zeros anyway.
  const prk = hmacSha256(salt, ikm);
  const message = new Uint8Array(info.length + 1);
  message.set(info);
  message[info.length] = 1;
  const t1 = hmacSha256(prk, message);
  prk.fill(0);
  const okm = t1.length === length ? t1 : t1.slice(0, length);
  if (okm !== t1) t1.fill(0);
  return okm;
}
