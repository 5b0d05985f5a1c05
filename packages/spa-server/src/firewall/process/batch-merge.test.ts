/** Merging queued grant batches: order kept, bounded, every part settled with the merged outcome. */
import { describe, expect, it } from 'vitest';
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import { type Batch, MAX_MERGED_BATCHES, takeBatch } from './batch-merge.js';

function batches(merge: readonly boolean[], settled: string[]): Batch[] {
  return merge.map((m, i) => ({
    seq: i + 1,
    text: `b${i + 1}`,
    merge: m,
    resolve: () => settled.push(`ok ${i + 1}`),
    reject: (error) => settled.push(`failed ${i + 1}: ${error.message}`),
  }));
}

const join = (texts: readonly string[]) => ({ text: texts.join('; ') });

describe('takeBatch', () => {
  it('takes a lone head, or a batch that may not merge, as it is', () => {
    const queue = batches([true, false, true], []);
    expect(takeBatch(queue, join, () => 99).text).toBe('b1');
    expect(takeBatch(queue, join, () => 99).text).toBe('b2');
    expect(takeBatch(queue, join, () => 99).text).toBe('b3');
    expect(queue).toEqual([]);
  });

  it('merges the mergeable run at the head, in order, and stops at the first that may not merge', () => {
    const queue = batches([true, true, true, false, true], []);
    const merged = takeBatch(queue, join, () => 99);
    expect(merged).toMatchObject({ seq: 99, text: 'b1; b2; b3' });
    expect(merged.parts?.map((p) => p.seq)).toEqual([1, 2, 3]);
    expect(queue.map((b) => b.text)).toEqual(['b4', 'b5']);
  });

  it('settles every part with the merged outcome', () => {
    const settled: string[] = [];
    const ok = takeBatch(batches([true, true], settled), join, () => 9);
    ok.resolve();
    const failed = takeBatch(batches([true, true], settled), join, () => 10);
    failed.reject(new ServerError(SERVER_ERROR_CODES.firewallCommandFailed, 'nft exited'));
    expect(settled).toEqual(['ok 1', 'ok 2', 'failed 1: nft exited', 'failed 2: nft exited']);
  });

  it('merges at most MAX_MERGED_BATCHES', () => {
    const queue = batches(Array(MAX_MERGED_BATCHES + 5).fill(true), []);
    expect(takeBatch(queue, join, () => 0).parts).toHaveLength(MAX_MERGED_BATCHES);
    expect(queue).toHaveLength(5);
  });
});
