/** The replay index gives back exactly the keys and timestamps it was given, and drops by age and per key id. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ReplayIndex } from './replay-index.js';

const KEY_A = randomBytes(16).toString('hex');
const KEY_B = randomBytes(16).toString('hex');
const key = (keyId: string, nonce: number): string => keyId + nonce.toString(16).padStart(32, '0');

describe('ReplayIndex', () => {
  it('holds each (key id, nonce) with its timestamp, and lists them back as hex', () => {
    const index = new ReplayIndex();
    index.add(key(KEY_A, 1), 1000);
    index.add(key(KEY_A, 2), 3000);
    index.add(key(KEY_B, 1), 2000);
    expect(index.has(key(KEY_A, 1))).toBe(true);
    expect(index.has(key(KEY_B, 2))).toBe(false);
    expect(new Map(index.entries())).toEqual(
      new Map([
        [key(KEY_A, 1), 1000],
        [key(KEY_A, 2), 3000],
        [key(KEY_B, 1), 2000],
      ]),
    );
    expect([index.clientEntries(KEY_A), index.clientEntries(KEY_B)]).toEqual([2, 1]);
  });

  it('drops what is older than the horizon, oldest first, and counts per key id down', () => {
    const index = new ReplayIndex();
    for (let i = 0; i < 100; i++) index.add(key(i % 2 === 0 ? KEY_A : KEY_B, i), 10_000 - i * 10);
    expect(index.dropBefore(9_500)).toBe(9_490);
    expect(index.size).toBe(51);
    expect(index.has(key(KEY_A, 0))).toBe(true);
    expect(index.has(key(KEY_B, 99))).toBe(false);
    expect(index.clientEntries(KEY_A) + index.clientEntries(KEY_B)).toBe(51);
    expect(index.dropBefore(20_000)).toBe(10_000);
    expect([index.size, index.clientEntries(KEY_A), index.clientEntries(KEY_B)]).toEqual([0, 0, 0]);
  });
});
