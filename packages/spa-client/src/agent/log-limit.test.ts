/** The agent's log under a flood: a burst, then a steady few lines a second, and a count of what was not shown. */
import { describe, expect, it } from 'vitest';
import { limitLog } from './log-limit.js';

describe('limitLog', () => {
  it('drops past the burst, and says how many on the next line it writes', () => {
    let t = 0;
    const lines: string[] = [];
    const log = limitLog((l) => lines.push(l), { burst: 3, perSecond: 1, now: () => t });
    for (let i = 0; i < 10; i++) log(`refused ${i}`);
    expect(lines).toEqual(['refused 0', 'refused 1', 'refused 2']);
    t = 1000;
    log('refused 10');
    expect(lines.at(-1)).toBe('refused 10 (7 earlier lines not shown)');
  });
});
