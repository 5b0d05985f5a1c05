/** EpochTags: a key's tags by epoch, as a client table adds each new epoch's and drops those it left. */
import { describe, expect, it } from 'vitest';
import { EpochTags } from '../src/epoch-tags.js';
import { tagText } from '../src/tag-match.js';

const tag = (n: number): string => tagText(new Uint8Array(16).fill(n));

describe('EpochTags', () => {
  it('gives the tag held for an epoch, and nothing for another', () => {
    const tags = new EpochTags();
    expect(tags.get(100)).toBeUndefined();
    tags.hold(99, 101, [100, tag(1), 101, tag(2)]);
    expect(tags.get(100)).toEqual(tag(1));
    expect(tags.get(101)).toEqual(tag(2));
    expect(tags.get(102)).toBeUndefined();
    expect(tags.epochs()).toEqual([100, 101]);
  });

  it('keeps the tags it holds within the window and adds the new ones after them', () => {
    const tags = new EpochTags();
    tags.hold(99, 101, [99, tag(99), 100, tag(100), 101, tag(101)]);
    tags.hold(100, 102, [102, tag(102)]);
    expect(tags.epochs()).toEqual([100, 101, 102]);
    expect(tags.get(99)).toBeUndefined();
    expect(tags.get(100)).toEqual(tag(100));
    expect(tags.get(102)).toEqual(tag(102));
  });

  it('keeps only the epochs within a window, its bounds included', () => {
    const tags = new EpochTags();
    tags.hold(98, 102, [98, tag(98), 99, tag(99), 100, tag(100), 101, tag(101), 102, tag(102)]);
    tags.hold(99, 101);
    expect(tags.epochs()).toEqual([99, 100, 101]);
    expect(tags.get(98)).toBeUndefined();
    expect(tags.get(101)).toEqual(tag(101));
    tags.hold(99, 101); // nothing outside: unchanged
    expect(tags.epochs()).toEqual([99, 100, 101]);
    tags.hold(200, 201);
    expect(tags.epochs()).toEqual([]);
  });
});
