/** A paced read: the caller never waits for it, a slow read is repeated less often, a failure answers nothing. */
import { describe, expect, it } from 'vitest';
import { pacedRead } from './paced-read.js';

/** A read whose every call waits until the test ends it, on a clock the test moves. */
function rig() {
  let now = 0;
  const pending: { resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  const read = (): Promise<number> =>
    new Promise((resolve, reject) => {
      pending.push({ resolve, reject });
    });
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return {
    read,
    pending,
    clock: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    settle,
  };
}

describe('paced read', () => {
  it('answers at once with the last value while a read is running, and starts one read at a time', async () => {
    const r = rig();
    const paced = pacedRead(r.read, { clock: r.clock });
    expect(paced.current()).toBeUndefined();
    await r.settle();
    expect(r.pending).toHaveLength(1);
    expect(paced.current()).toBeUndefined(); // still running: no second read
    await r.settle();
    expect(r.pending).toHaveLength(1);
    r.advance(10);
    r.pending[0]!.resolve(7);
    await r.settle();
    expect(paced.current()).toBe(7);
  });

  it('waits the minimum interval after a quick read, and ten times its duration after a slow one', async () => {
    const r = rig();
    const paced = pacedRead(r.read, { clock: r.clock, minIntervalMs: 1000 });
    paced.current();
    await r.settle();
    r.advance(30);
    r.pending[0]!.resolve(1);
    await r.settle();
    r.advance(900);
    paced.current();
    await r.settle();
    expect(r.pending).toHaveLength(1); // 930 ms after the start: not due
    r.advance(70);
    paced.current();
    await r.settle();
    expect(r.pending).toHaveLength(2);
    // This one takes 2 s (an nft listing at 100,000 grants): the next is due 20 s after it ended.
    r.advance(2000);
    r.pending[1]!.resolve(2);
    await r.settle();
    r.advance(19_999);
    expect(paced.current()).toBe(2);
    await r.settle();
    expect(r.pending).toHaveLength(2);
    r.advance(1);
    paced.current();
    await r.settle();
    expect(r.pending).toHaveLength(3);
  });

  it('answers undefined after a failed read, and reads again when due', async () => {
    const r = rig();
    const paced = pacedRead(r.read, { clock: r.clock, minIntervalMs: 1000 });
    paced.current();
    await r.settle();
    r.pending[0]!.resolve(5);
    await r.settle();
    r.advance(1000);
    expect(paced.current()).toBe(5);
    await r.settle();
    r.pending[1]!.reject(new Error('table gone'));
    await r.settle();
    expect(paced.current()).toBeUndefined();
  });

  it('counts a read that throws before returning a promise as failed', async () => {
    let now = 0;
    let calls = 0;
    const paced = pacedRead<number>(
      () => {
        calls++;
        throw new Error('not ready');
      },
      { clock: () => now },
    );
    expect(paced.current()).toBeUndefined();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    now += 1000;
    expect(paced.current()).toBeUndefined();
    await Promise.resolve();
    expect(calls).toBe(2);
  });

  it('lets a caller wait a bounded time for a running read: fresh when it ends in time, the last value when not', async () => {
    const r = rig();
    const paced = pacedRead(r.read, { clock: r.clock, minIntervalMs: 1000 });
    const first = paced.within(1000);
    await r.settle();
    r.pending[0]!.resolve(1);
    expect(await first).toBe(1);
    r.advance(1000);
    const started = performance.now();
    expect(await paced.within(30)).toBe(1); // the second read never ends
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(r.pending).toHaveLength(2);
  });
});
