import { describe, expect, it } from 'vitest';
import { JumpContention } from './jump-contention.js';

describe('JumpContention', () => {
  it('never moved: nothing tolerated, the first move is at once', () => {
    const c = new JumpContention(() => 0);
    expect(c.tolerated()).toBe(false);
  });

  it('a fight: each move tolerates the misplaced jump twice as long, up to a minute', () => {
    let now = 1_000_000;
    const c = new JumpContention(() => now);
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      c.moved();
      let waited = 0;
      while (c.tolerated()) {
        now += 100;
        waited += 100;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
  });

  it('calm for ten minutes: the next move is tolerated for a second again', () => {
    let now = 0;
    const c = new JumpContention(() => now);
    for (let i = 0; i < 5; i++) {
      c.moved();
      now += 20_000;
    }
    now += 10 * 60_000 + 1;
    c.moved();
    now += 999;
    expect(c.tolerated()).toBe(true);
    now += 1;
    expect(c.tolerated()).toBe(false);
  });
});
