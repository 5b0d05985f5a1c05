/** §7 14 at its edges: the past and future sides of the time window are separate. */
import { describe, expect, it } from 'vitest';
import { isWithinWindow } from '../src/verify.js';

const NOW = 1_800_000_000_000;

describe('isWithinWindow', () => {
  it('accepts from now − past to now + future, both ends included', () => {
    expect(isWithinWindow(NOW - 60_000, NOW, 60_000, 5000)).toBe(true);
    expect(isWithinWindow(NOW, NOW, 60_000, 5000)).toBe(true);
    expect(isWithinWindow(NOW + 5000, NOW, 60_000, 5000)).toBe(true);
  });

  it('refuses a timestamp just past either side', () => {
    expect(isWithinWindow(NOW - 60_001, NOW, 60_000, 5000)).toBe(false);
    expect(isWithinWindow(NOW + 5001, NOW, 60_000, 5000)).toBe(false);
  });

  it('a small future side refuses what a symmetric window took: 30 s ahead of a 60 s window', () => {
    expect(isWithinWindow(NOW + 30_000, NOW, 60_000, 5000)).toBe(false);
    expect(isWithinWindow(NOW - 30_000, NOW, 60_000, 5000)).toBe(true);
  });
});
