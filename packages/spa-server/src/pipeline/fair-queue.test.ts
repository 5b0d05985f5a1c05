/** The bounded queue: drops when full, FIFO within a lane, round robin between lanes, a batch per event-loop turn, errors contained. */
import { describe, expect, it } from 'vitest';
import { createFairQueue } from './fair-queue.js';

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('fair queue', () => {
  it('refuses pushes beyond its capacity and handles items in order', async () => {
    const seen: number[] = [];
    const q = createFairQueue<number>({ capacity: 3, handle: (n) => seen.push(n) });
    expect([1, 2, 3, 4].map((n) => q.push(n === 3 ? 'b' : 'a', n))).toEqual([true, true, true, false]);
    expect(q.length).toBe(3);
    await q.idle();
    expect(seen).toEqual([1, 3, 2]); // lanes in turn: a, b, then a again
    expect(q.push('a', 5)).toBe(true); // room again once drained
    await q.idle();
    expect(seen).toEqual([1, 3, 2, 5]);
  });

  it('handles at most one batch per event-loop turn, so other callbacks run in between', async () => {
    const seen: number[] = [];
    const q = createFairQueue<number>({ capacity: 100, batchSize: 10, handle: (n) => seen.push(n) });
    for (let i = 0; i < 25; i++) q.push('a', i);
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
    const q = createFairQueue<number>({
      capacity: 10,
      handle: (n) => {
        if (n === 2) throw new Error('boom');
        seen.push(n);
      },
      onError: (e) => errors.push(e),
    });
    for (const n of [1, 2, 3]) q.push('a', n);
    await q.idle();
    expect(seen).toEqual([1, 3]);
    expect(errors).toHaveLength(1);
  });

  it('keeps order within a lane over many refills', async () => {
    const seen: number[] = [];
    const q = createFairQueue<number>({ capacity: 4, batchSize: 3, handle: (n) => seen.push(n) });
    let next = 0;
    for (let round = 0; round < 50; round++) {
      while (q.push('a', next)) next++;
      await turn();
    }
    await q.idle();
    expect(seen).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it('changes its bound without dropping waiting items', async () => {
    const seen: number[] = [];
    const q = createFairQueue<number>({ capacity: 4, handle: (n) => seen.push(n) });
    for (const n of [1, 2, 3, 4]) q.push(n % 2 ? 'a' : 'b', n);
    q.setCapacity(2);
    expect(q.push('c', 5)).toBe(false);
    await q.idle();
    expect(seen).toEqual([1, 2, 3, 4]);
    q.setCapacity(6);
    for (const n of [6, 7, 8, 9, 10, 11]) expect(q.push(`${n % 2}`, n)).toBe(true);
    expect(q.push('2', 12)).toBe(false);
    await q.idle();
    expect(seen).toHaveLength(10);
  });

  it('drops everything on close and takes nothing after', async () => {
    const seen: number[] = [];
    const q = createFairQueue<number>({ capacity: 4, handle: (n) => seen.push(n) });
    q.push('a', 1);
    q.close();
    expect(q.push('a', 2)).toBe(false);
    await q.idle();
    await turn();
    expect(seen).toEqual([]);
  });

  it("serves lanes in turn, so one client's burst does not hold back another's knock", async () => {
    const seen: string[] = [];
    const q = createFairQueue<string>({ capacity: 100, batchSize: 4, handle: (s) => seen.push(s) });
    for (let i = 0; i < 20; i++) q.push('flooder', `f${i}`);
    q.push('alice', 'a0');
    q.push('bob', 'b0');
    await turn();
    // The first batch of four already reached both other clients.
    expect(seen).toEqual(['f0', 'a0', 'b0', 'f1']);
    await q.idle();
    expect(seen).toHaveLength(22);
    expect(seen.filter((s) => s.startsWith('f'))).toEqual(Array.from({ length: 20 }, (_, i) => `f${i}`));
  });

  it('lets one lane hold at most half the queue, so another client always finds room', () => {
    const q = createFairQueue<number>({ capacity: 10, handle: () => {} });
    const flooder = Array.from({ length: 8 }, (_, i) => q.push('flooder', i));
    expect(flooder).toEqual([true, true, true, true, true, false, false, false]);
    expect(q.push('alice', 1)).toBe(true);
    q.close();
  });

  it('counts every lane against one capacity', () => {
    const q = createFairQueue<number>({ capacity: 3, handle: () => {} });
    expect([q.push('a', 1), q.push('b', 2), q.push('c', 3), q.push('d', 4)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(q.length).toBe(3);
    q.close();
  });
});
