/** Test-only Ed25519 forging with small-order components: signatures and keys that split cofactored from cofactorless verifiers. @module */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, concatBytes, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { LABEL_SIGNATURE } from '../src/constants.js';

const { Point } = ed25519;
const { Fn } = Point;

/** The eight points of order dividing 8: multiples of a generator of the torsion subgroup. */
const T8 = Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');
export const TORSION: readonly (typeof T8)[] = Array.from({ length: 8 }, (_, i) =>
  i === 0 ? Point.ZERO : T8.multiplyUnsafe(BigInt(i)),
);

const scalarOf = (bytes: Uint8Array): bigint => Fn.create(bytesToNumberLE(bytes));
const challenge = (r: Uint8Array, a: Uint8Array, m: Uint8Array): bigint =>
  scalarOf(sha512(concatBytes(r, a, m)));

/** The client key A + T: the seed's key with a small-order component added (T = TORSION[t]). */
export function torsionedKey(seed: Uint8Array, t: number): Uint8Array {
  return ed25519.utils.getExtendedPublicKey(seed).point.add(TORSION[t]!).toBytes();
}

export interface TorsionSignOptions {
  /** T added to R: the signature then verifies under the cofactored equation only (when t ≠ 0). */
  readonly rTorsion?: number;
  /** The public key hashed into k (default: the seed's own). A torsioned key makes k·T appear. */
  readonly publicKey?: Uint8Array;
  /** A nonce seed; varied to pick a k with a given residue mod 8. */
  readonly nonce?: number;
}

/**
 * An Ed25519 signature made with the seed's secret scalar a: R = [r]B + T, k = H(R ‖ A ‖ M), S = r + k·a.
 * Then [S]B − [k]A = R − T (+ [k]T_A for a torsioned A): a cofactored verifier accepts, a cofactorless
 * one accepts only when the torsion terms cancel.
 */
export function signWithTorsion(
  seed: Uint8Array,
  message: Uint8Array,
  o: TorsionSignOptions = {},
): Uint8Array {
  const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(seed);
  const publicKey = o.publicKey ?? pointBytes;
  const r = scalarOf(sha512(concatBytes(seed, Uint8Array.of(o.nonce ?? 0), message))) || 1n;
  const R = Point.BASE.multiply(r)
    .add(TORSION[o.rTorsion ?? 0]!)
    .toBytes();
  const k = challenge(R, publicKey, message);
  return concatBytes(R, numberToBytesLE(Fn.create(r + k * scalar), 32));
}

/** k mod 8 for a signature: when 0, [k]T vanishes and a torsioned key's signature verifies cofactorless too. */
export function challengeMod8(signature: Uint8Array, publicKey: Uint8Array, message: Uint8Array): number {
  return Number(challenge(signature.subarray(0, 32), publicKey, message) % 8n);
}

/** The message a knock signature covers (§5). */
export const signedMessage = (body: Uint8Array): Uint8Array => concatBytes(LABEL_SIGNATURE, body);
