/** Whether an Ed25519 public key lies in the prime-order subgroup ([L]A = identity), remembered per key (§1). @module */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/curves/utils.js';

// The check is a full scalar multiplication in pure JS (about a millisecond), so it runs once per
// key: at load, where parsePublicKey calls it, and never again for the same key. Per key array,
// for the per-packet calls on configured keys (a WeakMap: nothing to bound)...
const byArray = new WeakMap<Uint8Array, boolean>();
// ...and per key bytes, for the same key text parsed again (schema check, then resolve, then every
// reload): a fleet of 10,000 keys pays once per process. Bounded: the oldest verdict is forgotten.
const byBytes = new Map<string, boolean>();
const MAX_REMEMBERED = 65_536;

/**
 * True when `key` decodes (strictly: y < p, no negative zero) to a point A with [L]A = identity.
 * False for a point with a small-order (torsion) component, or bytes that are not a point at all.
 * Callers must not mutate a key array after checking it: the verdict is remembered per array.
 */
export function isPrimeOrderPoint(key: Uint8Array): boolean {
  const known = byArray.get(key);
  if (known !== undefined) return known;
  const hex = bytesToHex(key);
  let verdict = byBytes.get(hex);
  if (verdict === undefined) {
    verdict = check(key);
    if (byBytes.size >= MAX_REMEMBERED) byBytes.delete(byBytes.keys().next().value!);
    byBytes.set(hex, verdict);
  }
  byArray.set(key, verdict);
  return verdict;
}

/**
 * Records that `key` passed isPrimeOrderPoint earlier, for a caller that kept the verdict itself,
 * authenticated, across a restart (the server's key cache): the next isPrimeOrderPoint call on these
 * bytes costs a lookup. Never call it for a verdict that was not computed by isPrimeOrderPoint.
 */
export function rememberPrimeOrderPoint(key: Uint8Array): void {
  if (key.length !== 32) return;
  const hex = bytesToHex(key);
  if (byBytes.has(hex)) return;
  if (byBytes.size >= MAX_REMEMBERED) byBytes.delete(byBytes.keys().next().value!);
  byBytes.set(hex, true);
}

/** The verdict isPrimeOrderPoint gave (or the key cache recorded) for these bytes, without computing one. */
export function knownPrimeOrderVerdict(key: Uint8Array): boolean | undefined {
  return byArray.get(key) ?? byBytes.get(bytesToHex(key));
}

function check(key: Uint8Array): boolean {
  if (key.length !== 32) return false;
  try {
    return ed25519.Point.fromBytes(key).isTorsionFree();
  } catch {
    return false; // not the encoding of a curve point: no signature could ever verify under it
  }
}
