/** The lost-events line: the first loss at once, the rest of a burst summed at the end of each minute, nothing left unsaid at close. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DaemonLog } from '../observability/log.js';
import { lostEventsLog } from './lost-events-log.js';

function fakeLog() {
  const counts: unknown[] = [];
  const log = {
    event: (_level: string, _event: string, fields?: { count?: number }) => counts.push(fields?.count),
  };
  return { log: log as unknown as DaemonLog, counts };
}

describe('lostEventsLog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says the first loss at once and sums the rest of the minute at its end', () => {
    const { log, counts } = fakeLog();
    const lost = lostEventsLog(log, 60_000);
    lost.add();
    expect(counts).toEqual([1]);
    lost.add();
    lost.add();
    vi.advanceTimersByTime(59_999);
    expect(counts).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(counts).toEqual([1, 2]);
    // A quiet minute closes the window: the next loss is said at once again.
    vi.advanceTimersByTime(60_000);
    expect(counts).toEqual([1, 2]);
    lost.add();
    expect(counts).toEqual([1, 2, 1]);
    lost.close();
  });

  it('a burst longer than a minute gives one line a minute', () => {
    const { log, counts } = fakeLog();
    const lost = lostEventsLog(log, 60_000);
    for (let s = 0; s < 180; s++) {
      lost.add();
      vi.advanceTimersByTime(1000);
    }
    // One a second for three minutes: the first, then each minute's sum as it ends.
    expect(counts).toEqual([1, 59, 60, 60]);
    lost.close();
    expect(counts).toEqual([1, 59, 60, 60]);
  });

  it('close says what is pending, and nothing when none is', () => {
    const { log, counts } = fakeLog();
    const quiet = lostEventsLog(log, 60_000);
    quiet.close();
    expect(counts).toEqual([]);
    const lost = lostEventsLog(log, 60_000);
    lost.add();
    lost.add();
    lost.close();
    expect(counts).toEqual([1, 1]);
    vi.advanceTimersByTime(120_000);
    expect(counts).toEqual([1, 1]);
  });
});
