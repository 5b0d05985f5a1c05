/** Whether an Ed25519 public key lies in the prime-order subgroup ([L]A = identity), remembered per key (§1). @module */
import { ed25519 } from '@noble/curves/ed25519.js';

// The check is a full scalar multiplication in pure JS (about a millisecond), so it runs once per
// key: at load, where parsePublicKey calls it, and never again for the same key. Per key array,
// for the per-packet calls on configured keys (a WeakMap: nothing to bound)...
const byArray = new WeakMap<Uint8Array, boolean>();
// ...and per key bytes, for the same key text parsed again (schema check, then resolve, then every
// reload): a fleet of 10,000 keys pays once per process. Bounded: the oldest verdict is forgotten.
const byBytes = new Map<string, boolean>();
const MAX_REMEMBERED = 65_536;

/*
 * The bytes as a one-byte string (one char per byte), the map's key: a fleet's load looks each key
 * up two or three times, and a hex string cost ~6 µs a lookup against ~0.6 µs for this one.
 */
const _bytesKey = (key: Uint8Array): string => String.fromCharCode.apply(null, key as unknown as number[]);

/**
 * True when `key` decodes (strictly: y < p, no negative zero) to a point A with [L]A = identity.
 * False for a point with a small-order (torsion) component, or bytes that are not a point at all.
 * Callers must not mutate a key array after checking it: the verdict is remembered per array.
 */
export function isPrimeOrderPoint(key: Uint8Array): boolean {
  const known = byArray.get(key);
  if (known !== undefined) return known;
  if (key.length !== 32) return false; // not an encoding of a point (and no long array becomes a key string)
  const id = _bytesKey(key);
  let verdict = byBytes.get(id);
  if (verdict === undefined) {
    verdict = check(key);
    if (byBytes.size >= MAX_REMEMBERED) byBytes.delete(byBytes.keys().next().value!);
    byBytes.set(id, verdict);
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
  const id = _bytesKey(key);
  if (byBytes.has(id)) return;
  if (byBytes.size >= MAX_REMEMBERED) byBytes.delete(byBytes.keys().next().value!);
  byBytes.set(id, true);
}

/** The verdict isPrimeOrderPoint gave (or the key cache recorded) for these bytes, without computing one. */
export function knownPrimeOrderVerdict(key: Uint8Array): boolean | undefined {
  return byArray.get(key) ?? (key.length === 32 ? byBytes.get(_bytesKey(key)) : undefined);
}

function check(key: Uint8Array): boolean {
  if (key.length !== 32) return false;
  try {
    return ed25519.Point.fromBytes(key).isTorsionFree();
  } catch {
    return false; // not the encoding of a curve point: no signature could ever verify under it
  }
}
