/** The bounded queue: drops when full, FIFO, a batch per event-loop turn, errors contained. */
import { describe, expect, it } from 'vitest';
import { createWorkQueue } from './work-queue.js';

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('work queue', () => {
  it('refuses pushes beyond its capacity and handles items in order', async () => {
    const seen: number[] = [];
    const q = createWorkQueue<number>({ capacity: 3, handle: (n) => seen.push(n) });
    expect([1, 2, 3, 4].map((n) => q.push(n))).toEqual([true, true, true, false]);
    expect(q.length).toBe(3);
    await q.idle();
    expect(seen).toEqual([1, 2, 3]);
    expect(q.push(5)).toBe(true); // room again once drained
    await q.idle();
    expect(seen).toEqual([1, 2, 3, 5]);
  });

  it('handles at most one batch per event-loop turn, so other callbacks run in between', async () => {
    const seen: number[] = [];
    const q = createWorkQueue<number>({ capacity: 100, batchSize: 10, handle: (n) => seen.push(n) });
    for (let i = 0; i < 25; i++) q.push(i);
    expect(seen).toHaveLength(0); // nothing on the receive path itself
    await turn();
    expect(seen).toHaveLength(10);
    await turn();
    expect(seen).toHaveLength(20);
    await q.idle();
    expect(seen).toHaveLength(25);
  });

  it('keeps going when a handler throws, and reports the error', async () => {
    const errors: unknown[] = [];
    const seen: number[] = [];
    const q = createWorkQueue<number>({
      capacity: 10,
      handle: (n) => {
        if (n === 2) throw new Error('boom');
        seen.push(n);
      },
      onError: (e) => errors.push(e),
    });
    for (const n of [1, 2, 3]) q.push(n);
    await q.idle();
    expect(seen).toEqual([1, 3]);
    expect(errors).toHaveLength(1);
  });

  it('wraps around its ring many times without losing order', async () => {
    const seen: number[] = [];
    const q = createWorkQueue<number>({ capacity: 4, batchSize: 3, handle: (n) => seen.push(n) });
    let next = 0;
    for (let round = 0; round < 50; round++) {
      while (q.push(next)) next++;
      await turn();
    }
    await q.idle();
    expect(seen).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it('changes its bound without dropping waiting items', async () => {
    const seen: number[] = [];
    const q = createWorkQueue<number>({ capacity: 4, handle: (n) => seen.push(n) });
    for (const n of [1, 2, 3, 4]) q.push(n);
    q.setCapacity(2);
    expect(q.push(5)).toBe(false);
    await q.idle();
    expect(seen).toEqual([1, 2, 3, 4]);
    q.setCapacity(6);
    for (const n of [6, 7, 8, 9, 10, 11]) expect(q.push(n)).toBe(true);
    expect(q.push(12)).toBe(false);
    await q.idle();
    expect(seen).toHaveLength(10);
  });

  it('drops everything on close and takes nothing after', async () => {
    const seen: number[] = [];
    const q = createWorkQueue<number>({ capacity: 4, handle: (n) => seen.push(n) });
    q.push(1);
    q.close();
    expect(q.push(2)).toBe(false);
    await q.idle();
    await turn();
    expect(seen).toEqual([]);
  });
});
