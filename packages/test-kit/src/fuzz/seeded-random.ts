/** A small seeded PRNG (xoshiro128**) for reproducible fuzz corpora: a failing run is replayed from its seed. @module */

export interface SeededRandom {
  readonly seed: number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number;
  bytes(n: number): Uint8Array;
  pick<T>(items: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
}

export function createRandom(seed: number): SeededRandom {
  // splitmix32 spreads one 32-bit seed over the four words of state; an all-zero state never occurs.
  let s = seed >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const st = [split(), split(), split(), split()] as [number, number, number, number];
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(st[1], 5), 7), 9) >>> 0;
    const t = st[1] << 9;
    st[2] ^= st[0];
    st[3] ^= st[1];
    st[1] ^= st[2];
    st[0] ^= st[3];
    st[2] ^= t;
    st[3] = rotl(st[3], 11);
    return result;
  };
  const int = (n: number): number => Math.floor((next() / 0x1_0000_0000) * n);
  return {
    seed,
    int,
    between: (min, max) => min + int(max - min + 1),
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i += 4) {
        const word = next();
        for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
      }
      return out;
    },
    pick: (items) => items[int(items.length)]!,
    chance: (p) => next() / 0x1_0000_0000 < p,
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
