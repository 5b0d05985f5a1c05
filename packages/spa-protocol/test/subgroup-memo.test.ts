/** The subgroup verdicts remembered per key bytes: found for a copy of the same bytes, never for other bytes. */
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  isPrimeOrderPoint,
  knownPrimeOrderVerdict,
  rememberPrimeOrderPoint,
} from '../src/ed25519-subgroup.js';
import { torsionedKey } from './torsion.js';

const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);

describe('remembered subgroup verdicts', () => {
  it('are found by the bytes, in another array, and only for those bytes', () => {
    const key = ed25519.getPublicKey(seed(1));
    expect(knownPrimeOrderVerdict(key)).toBeUndefined();
    rememberPrimeOrderPoint(key);
    expect(knownPrimeOrderVerdict(Uint8Array.from(key))).toBe(true);
    const other = Uint8Array.from(key);
    other[31]! ^= 1;
    expect(knownPrimeOrderVerdict(other)).toBeUndefined();
  });

  it("keep a torsioned key's refusal for a copy of it", () => {
    const weak = torsionedKey(seed(2), 1);
    expect(isPrimeOrderPoint(weak)).toBe(false);
    expect(knownPrimeOrderVerdict(Uint8Array.from(weak))).toBe(false);
    const good = ed25519.getPublicKey(seed(3));
    expect(isPrimeOrderPoint(good)).toBe(true);
    expect(knownPrimeOrderVerdict(Uint8Array.from(good))).toBe(true);
  });

  it('refuse arrays of any other length without remembering them', () => {
    const long = new Uint8Array(200_000);
    expect(isPrimeOrderPoint(long)).toBe(false);
    expect(knownPrimeOrderVerdict(long.subarray(0, 33))).toBeUndefined();
    rememberPrimeOrderPoint(long);
    expect(knownPrimeOrderVerdict(long)).toBeUndefined();
  });
});
