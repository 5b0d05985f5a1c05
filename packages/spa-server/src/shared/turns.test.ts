/** Turns: long work gives the event loop a turn once a slice has run its time, and only then. */
import { describe, expect, it } from 'vitest';
import { Turns } from './turns.js';

describe('Turns', () => {
  it('is due only once the slice has run its time, and a pause starts the next slice', async () => {
    let clock = 0;
    const turns = new Turns(5, () => clock);
    let due = 0;
    for (let i = 0; i < 10_000; i++) if (turns.due()) due++;
    expect(due).toBe(0); // no time passed: 10,000 units of work run on
    clock = 5;
    const first = Array.from({ length: 1000 }, () => turns.due()).indexOf(true);
    expect(first).toBeGreaterThanOrEqual(0);
    await turns.pause();
    expect(Array.from({ length: 1000 }, () => turns.due())).not.toContain(true);
  });

  it('lets a timer and I/O run during its pause', async () => {
    const turns = new Turns(0);
    let ticked = false;
    setTimeout(() => {
      ticked = true;
    }, 0);
    const start = performance.now();
    while (!ticked && performance.now() - start < 2000) {
      if (turns.due()) await turns.pause();
    }
    expect(ticked).toBe(true);
  });
});
