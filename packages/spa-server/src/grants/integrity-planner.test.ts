/** When the integrity check may be light: the event stream running and settled, nothing reported since a full check that found the table whole, and that check recent enough. */
import { describe, expect, it } from 'vitest';
import {
  FULL_CHECK_EVERY_MS,
  FULL_OVERDUE_MAX_MS,
  FULL_RETRY_MS,
  IntegrityPlanner,
} from './integrity-planner.js';
import { STREAM_SETTLE_MS } from './shape-witness.js';

describe('IntegrityPlanner', () => {
  let now = 0;
  const clock = (): number => now;
  /** A planner whose stream started long enough ago, after one full check that found the table whole. */
  const vouched = (): IntegrityPlanner => {
    now = 1000;
    const p = new IntegrityPlanner(clock);
    p.watching(true);
    now += STREAM_SETTLE_MS;
    check(p, true);
    return p;
  };
  /** Runs one check to its end; returns its scope. */
  const check = (p: IntegrityPlanner, intact: boolean | undefined): string => {
    const plan = p.begin();
    p.done(plan, intact);
    return plan.scope;
  };

  it('full until a full check found the table whole while the stream ran; light after', () => {
    now = 1000;
    const p = new IntegrityPlanner(clock);
    expect(check(p, true)).toBe('full'); // no stream: every check is full
    expect(check(p, true)).toBe('full');
    p.watching(true);
    expect(check(p, true)).toBe('full'); // the stream may not be subscribed yet
    now += STREAM_SETTLE_MS;
    expect(check(p, true)).toBe('full');
    expect(check(p, true)).toBe('light');
    expect(check(p, true)).toBe('light');
  });

  it('any reported change, stream start or end makes the next check full', () => {
    for (const event of ['changed', 'stop', 'restart'] as const) {
      const p = vouched();
      expect(check(p, true)).toBe('light');
      if (event === 'changed') p.changed();
      else if (event === 'stop') p.watching(false);
      else p.watching(true);
      expect(check(p, true), event).toBe('full');
      if (event === 'stop') {
        expect(check(p, true)).toBe('full'); // while no stream runs, never light
        continue;
      }
      if (event === 'restart') now += STREAM_SETTLE_MS;
      check(p, true);
      expect(check(p, true), event).toBe('light');
    }
  });

  it('a change reported while the full check read: that check vouches for nothing', () => {
    const p = vouched();
    p.changed();
    const plan = p.begin();
    expect(plan.scope).toBe('full');
    p.changed(); // e.g. a rule inserted while nft listed the table
    p.done(plan, true);
    expect(check(p, true)).toBe('full');
    expect(check(p, true)).toBe('light');
  });

  it('a light check that finds damage, or cannot read, makes the next one full', () => {
    for (const outcome of [false, undefined]) {
      const p = vouched();
      const plan = p.begin();
      expect(plan.scope).toBe('light');
      p.done(plan, outcome);
      expect(check(p, true)).toBe('full');
      expect(check(p, true)).toBe('light');
    }
  });

  it('full again every FULL_CHECK_EVERY_MS, however quiet the stream; a clock stepped back too', () => {
    const p = vouched();
    now += FULL_CHECK_EVERY_MS - 1;
    expect(check(p, true)).toBe('light');
    now += 1;
    expect(check(p, true)).toBe('full');
    expect(check(p, true)).toBe('light');
    now -= 10_000;
    expect(check(p, true)).toBe('full');
  });

  it('an overdue full check that cannot read (a burst of grants): light checks go on, the full one is retried later', () => {
    const p = vouched();
    now += FULL_CHECK_EVERY_MS;
    expect(check(p, undefined)).toBe('full'); // nft's listing timed out under the grants
    expect(check(p, true)).toBe('light');
    now += FULL_RETRY_MS - 1;
    expect(check(p, true)).toBe('light');
    now += 1;
    expect(check(p, undefined)).toBe('full'); // still busy: another minute of light checks
    now += FULL_RETRY_MS - 1;
    expect(check(p, true)).toBe('light');
    now += 1;
    expect(check(p, true)).toBe('full'); // the burst is over: it reads, and vouches afresh
    now += FULL_CHECK_EVERY_MS - 1;
    expect(check(p, true)).toBe('light');
  });

  it('a full check that cannot read is not retried later when it was due for any reason but its age', () => {
    const cases = ['changed', 'restart', 'light-unread', 'damaged'] as const;
    for (const reason of cases) {
      const p = vouched();
      if (reason === 'changed') p.changed();
      else if (reason === 'restart') {
        p.watching(true);
        now += STREAM_SETTLE_MS;
      } else check(p, reason === 'damaged' ? false : undefined);
      expect(check(p, undefined), reason).toBe('full');
      expect(check(p, undefined), reason).toBe('full');
      expect(check(p, true), reason).toBe('full');
      expect(check(p, true), reason).toBe('light');
    }
  });

  it('a change, or the stream ending, while a retry is pending makes the next check full', () => {
    for (const event of ['changed', 'stop'] as const) {
      const p = vouched();
      now += FULL_CHECK_EVERY_MS;
      expect(check(p, undefined)).toBe('full');
      expect(check(p, true)).toBe('light');
      if (event === 'changed') p.changed();
      else p.watching(false);
      expect(check(p, true), event).toBe('full');
    }
  });

  it('a pending retry does not outlast a clock stepped back', () => {
    const p = vouched();
    now += FULL_CHECK_EVERY_MS;
    check(p, undefined);
    now -= FULL_CHECK_EVERY_MS + 1;
    expect(check(p, true)).toBe('full');
  });

  it('retries put a full check off by FULL_OVERDUE_MAX_MS at most: then every check is full', () => {
    const p = vouched();
    now += FULL_CHECK_EVERY_MS;
    const retries = FULL_OVERDUE_MAX_MS / FULL_RETRY_MS;
    for (let i = 0; i < retries; i++) {
      expect(check(p, undefined), `retry ${i}`).toBe('full');
      expect(check(p, true), `retry ${i}`).toBe('light');
      now += FULL_RETRY_MS;
    }
    // FULL_OVERDUE_MAX_MS past due: the read that fails now is not put off again.
    expect(check(p, undefined)).toBe('full');
    expect(check(p, true)).toBe('full');
    expect(check(p, true)).toBe('light');
  });

  it('during a pending retry: a stream restart, a light check that fails, or a clock far ahead of it all make the next check full', () => {
    for (const event of ['restart', 'light-damaged', 'light-unread', 'clock-back-far'] as const) {
      const p = vouched();
      now += FULL_CHECK_EVERY_MS + 5000;
      expect(check(p, undefined), event).toBe('full');
      if (event === 'restart') {
        p.watching(true);
        now += STREAM_SETTLE_MS;
      } else if (event === 'light-damaged') expect(check(p, false), event).toBe('light');
      else if (event === 'light-unread') expect(check(p, undefined), event).toBe('light');
      // Stepped back 1 s: still overdue, but the retry is now more than FULL_RETRY_MS away.
      else now -= 1000;
      expect(check(p, true), event).toBe('full');
    }
  });

  it('a change reported while the overdue full check read: its failure is not put off', () => {
    const p = vouched();
    now += FULL_CHECK_EVERY_MS;
    const plan = p.begin();
    expect(plan.scope).toBe('full');
    p.changed();
    p.done(plan, undefined);
    expect(check(p, undefined)).toBe('full');
    expect(check(p, true)).toBe('full');
    expect(check(p, true)).toBe('light');
  });
});
