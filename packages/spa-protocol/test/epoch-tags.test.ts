/** EpochTags: a key's tags by epoch, as a client table adds each new epoch's and drops those it left. */
import { describe, expect, it } from 'vitest';
import { EpochTags } from '../src/epoch-tags.js';

const tag = (n: number): Uint8Array => new Uint8Array(16).fill(n);

describe('EpochTags', () => {
  it('gives the tag held for an epoch, and nothing for another', () => {
    const tags = new EpochTags();
    expect(tags.get(100)).toBeUndefined();
    tags.set(100, tag(1));
    tags.set(101, tag(2));
    expect(tags.get(100)).toEqual(tag(1));
    expect(tags.get(101)).toEqual(tag(2));
    expect(tags.get(102)).toBeUndefined();
    expect(tags.epochs()).toEqual([100, 101]);
  });

  it('a second tag for an epoch replaces the first', () => {
    const tags = new EpochTags();
    tags.set(100, tag(1));
    tags.set(101, tag(2));
    tags.set(100, tag(3));
    expect(tags.get(100)).toEqual(tag(3));
    expect(tags.epochs()).toEqual([101, 100]);
  });

  it('keeps only the epochs within a window, its bounds included', () => {
    const tags = new EpochTags();
    for (const e of [98, 99, 100, 101, 102]) tags.set(e, tag(e));
    tags.keepWithin(99, 101);
    expect(tags.epochs()).toEqual([99, 100, 101]);
    expect(tags.get(98)).toBeUndefined();
    expect(tags.get(101)).toEqual(tag(101));
    tags.keepWithin(99, 101); // nothing outside: unchanged
    expect(tags.epochs()).toEqual([99, 100, 101]);
    tags.keepWithin(200, 201);
    expect(tags.epochs()).toEqual([]);
  });
});
