/** A client's X25519 public key: the Montgomery form of its Ed25519 key, u = (1 + y) / (1 − y) (docs/protocol.md §6). @module */
import { ed25519 } from '@noble/curves/ed25519.js';
import { failsCheapKeyChecks, isWeakEd25519PublicKey } from './ed25519-checks.js';

const Fp = ed25519.Point.Fp;

/**
 * The birational map libsodium (crypto_sign_ed25519_pk_to_curve25519) and age use. Server side only,
 * once per configured key at load. u depends on y alone, so it is computed from the encoding's y
 * without decompressing the point (a square root, as much again as the map itself): the §1 check
 * has already proved the key a canonical point of prime order (a remembered verdict here), so its
 * y is below p and not 1, and its image is never a low-order u. Throws for a key §1 refuses.
 */
export function ed25519PublicToX25519(publicKey: Uint8Array): Uint8Array {
  if (isWeakEd25519PublicKey(publicKey)) throw new Error('not a valid client key (§1)');
  return montgomeryOf(publicKey);
}

/**
 * The map for a key that passed only §1's byte checks (y canonical, not ±1), its subgroup check
 * still to come: for bytes that are no curve point at all, u lies on the twist, where X25519 is as
 * safe (it is twist-secure). What derives from it is trusted only once the key passes the check.
 */
export function uncheckedEd25519PublicToX25519(publicKey: Uint8Array): Uint8Array {
  if (failsCheapKeyChecks(publicKey)) throw new Error('not a valid client key (§1)');
  return montgomeryOf(publicKey);
}

/**
 * uncheckedEd25519PublicToX25519 for many keys at once, with one field inversion for all of them
 * (Montgomery's trick: three multiplications a key instead of an inversion a key, which was a fifth
 * of a fleet's first load). Same u for each key; undefined for a key the byte checks refuse.
 */
export function uncheckedEd25519PublicToX25519Many(keys: readonly Uint8Array[]): (Uint8Array | undefined)[] {
  const ok = keys.map((key) => !failsCheapKeyChecks(key));
  const ys = keys.filter((_, i) => ok[i]).map(yOf);
  // The byte checks refuse y = 1, so no 1 − y is zero (invertBatch would skip it).
  const inverses = Fp.invertBatch(ys.map((y) => Fp.sub(Fp.ONE, y)));
  let next = 0;
  return keys.map((_, i) => {
    if (!ok[i]) return undefined;
    const at = next++;
    return bytesOf(Fp.mul(Fp.add(Fp.ONE, ys[at]!), inverses[at]!));
  });
}

// y and u cross between bytes and a field element as four 64-bit words: a BigInt per byte (and
// noble's toBytes, through a hex string) made ~3 KiB of garbage a key, the largest share of the
// agreement worker's collections in a fleet's first start.
const MASK_63 = 0x7fff_ffff_ffff_ffffn;
const MASK_64 = 0xffff_ffff_ffff_ffffn;

function yOf(publicKey: Uint8Array): bigint {
  const v = new DataView(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength);
  // The top bit is x's sign, not part of y.
  const top = v.getBigUint64(24, true) & MASK_63;
  return (
    (top << 192n) |
    (v.getBigUint64(16, true) << 128n) |
    (v.getBigUint64(8, true) << 64n) |
    v.getBigUint64(0, true)
  );
}

/** A reduced field element as its 32 little-endian bytes (Fp.toBytes' bytes). */
function bytesOf(element: bigint): Uint8Array {
  const out = new Uint8Array(32);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, element & MASK_64, true);
  v.setBigUint64(8, (element >> 64n) & MASK_64, true);
  v.setBigUint64(16, (element >> 128n) & MASK_64, true);
  v.setBigUint64(24, element >> 192n, true);
  return out;
}

function montgomeryOf(publicKey: Uint8Array): Uint8Array {
  const y = yOf(publicKey);
  return bytesOf(Fp.div(Fp.add(Fp.ONE, y), Fp.sub(Fp.ONE, y)));
}
