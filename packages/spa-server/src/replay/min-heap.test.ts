/** The min-heap pops in key order whatever the order of pushes, interleaved or not. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from './min-heap.js';

describe('MinHeap', () => {
  it('pops values in ascending key order, with pushes and pops interleaved', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: -1e6, max: 1e6 }), { nil: undefined })), (ops) => {
        const heap = new MinHeap<number>();
        const model: number[] = [];
        for (const op of ops) {
          if (op === undefined) {
            model.sort((a, b) => a - b);
            expect(heap.pop()).toBe(model.shift());
          } else {
            heap.push(op, op);
            model.push(op);
          }
          expect(heap.size).toBe(model.length);
          expect(heap.peekKey()).toBe(model.length ? Math.min(...model) : undefined);
        }
      }),
    );
  });
});
