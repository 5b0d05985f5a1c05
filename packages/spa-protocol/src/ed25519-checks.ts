/** Strictness checks on Ed25519 keys and signatures that both backends share, so they agree byte for byte. @module */
import { isPrimeOrderPoint } from './ed25519-subgroup.js';

// Small-order points of edwards25519 (libsodium's list), compared with the sign bit masked off so that
// every x sign variant is caught; the last two are the non-canonical encodings y = p and y = p + 1.
const SMALL_ORDER_HEX = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];
const fromHex = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g)!, (b) => Number.parseInt(b, 16));
const SMALL_ORDER = SMALL_ORDER_HEX.map(fromHex);

// L, the order of the prime subgroup, little-endian (RFC 8032 §5.1).
const L = fromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');

/** y ≥ p = 2^255 − 19: bytes 1..30 all 0xff, top byte 0x7f (sign masked), low byte ≥ 0xed. */
function hasNonCanonicalY(key: Uint8Array): boolean {
  if ((key[31]! & 0x7f) !== 0x7f || key[0]! < 0xed) return false;
  for (let i = 1; i < 31; i++) if (key[i] !== 0xff) return false;
  return true;
}

function isSmallOrder(key: Uint8Array): boolean {
  return SMALL_ORDER.some((bad) => {
    for (let i = 0; i < 31; i++) if (key[i] !== bad[i]) return false;
    return (key[31]! & 0x7f) === bad[31];
  });
}

/**
 * True for keys that must never be trusted (§1): wrong length, small order, non-canonical y, not a
 * curve point, or a point with a small-order component. The last is what makes the backends agree:
 * with A in the prime-order subgroup the cofactorless equation (§5) is the only one that matters.
 * Cheap byte checks first; the subgroup check is remembered per key, so packets never pay for it.
 */
export function isWeakEd25519PublicKey(key: Uint8Array): boolean {
  return failsCheapKeyChecks(key) || !isPrimeOrderPoint(key);
}

/**
 * The byte checks of isWeakEd25519PublicKey without the subgroup check (a scalar multiplication):
 * for a caller that makes that check later, before it trusts anything derived from the key (a
 * server's client table, docs/protocol.md §1). False also says the key's y is below p and not ±1.
 */
export function failsCheapKeyChecks(key: Uint8Array): boolean {
  return key.length !== 32 || isSmallOrder(key) || hasNonCanonicalY(key);
}

/** True when the signature's S (bytes 32..64, little-endian) is below L, as RFC 8032 §5.1.7 requires. */
export function hasCanonicalS(signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  for (let i = 31; i >= 0; i--) {
    const s = signature[32 + i]!;
    const l = L[i]!;
    if (s !== l) return s < l;
  }
  return false; // S == L
}
