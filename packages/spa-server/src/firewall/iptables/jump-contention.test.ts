import { describe, expect, it } from 'vitest';
import { JumpContention } from './jump-contention.js';

const OTHER = '-A INPUT -j SPAB-INPUT';
const ACCEPT = '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT';
const moves = (rules: string[]) => new Map<4 | 6, string[]>([[4, rules]]);

describe('JumpContention', () => {
  it('never moved: nothing tolerated', () => {
    const c = new JumpContention(() => 0);
    expect(c.tolerated(4, [OTHER])).toBe(false);
  });

  it('a fight: the rules a move found above the jump are let be twice as long each time, up to a minute', () => {
    let now = 1_000_000;
    const c = new JumpContention(() => now);
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      c.moved(moves([OTHER]));
      let waited = 0;
      while (c.tolerated(4, [OTHER])) {
        now += 100;
        waited += 100;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
  });

  it('any other rule above the jump is never let be, nor a rule in the family the move did not see', () => {
    const c = new JumpContention(() => 0);
    c.moved(moves([OTHER]));
    expect(c.tolerated(4, [OTHER])).toBe(true);
    expect(c.tolerated(4, [ACCEPT])).toBe(false);
    expect(c.tolerated(4, [OTHER, ACCEPT])).toBe(false);
    expect(c.tolerated(6, [OTHER])).toBe(false);
  });

  it('a rule that decides itself (a built-in target) is never let be, even if the move found it', () => {
    const c = new JumpContention(() => 0);
    c.moved(moves([ACCEPT, OTHER, '-A INPUT -j REJECT']));
    expect(c.tolerated(4, [OTHER])).toBe(true);
    expect(c.tolerated(4, [ACCEPT])).toBe(false);
    expect(c.tolerated(4, ['-A INPUT -j REJECT'])).toBe(false);
    expect(c.tolerated(4, ['-A INPUT -i eth0 -j cali-INPUT'])).toBe(false);
  });

  it('calm for ten minutes: a second again; a clock that went back tolerates nothing', () => {
    let now = 0;
    const c = new JumpContention(() => now);
    for (let i = 0; i < 5; i++) {
      c.moved(moves([OTHER]));
      now += 20_000;
    }
    now += 10 * 60_000 + 1;
    c.moved(moves([OTHER]));
    now += 999;
    expect(c.tolerated(4, [OTHER])).toBe(true);
    now += 1;
    expect(c.tolerated(4, [OTHER])).toBe(false);
    c.moved(moves([OTHER]));
    now -= 5000;
    expect(c.tolerated(4, [OTHER])).toBe(false);
  });
});
