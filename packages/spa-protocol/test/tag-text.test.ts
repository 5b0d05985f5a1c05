/** A held tag as text (tag-match.ts) finds and refuses exactly the datagrams its bytes would. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLIENT_TAG_OFFSET, CLIENT_TAG_SIZE } from '../src/constants.js';
import { bucketOf, bucketOfText, sameTagText, tagText } from '../src/tag-match.js';

const tagArb = fc.uint8Array({ minLength: CLIENT_TAG_SIZE, maxLength: CLIENT_TAG_SIZE });

/** A datagram prefix carrying `tag` at the tag's offset. */
function carrying(tag: Uint8Array): Uint8Array {
  const datagram = new Uint8Array(CLIENT_TAG_OFFSET + CLIENT_TAG_SIZE + 8).fill(0xa5);
  datagram.set(tag, CLIENT_TAG_OFFSET);
  return datagram;
}

describe('tags held as text', () => {
  it('one character per byte, every byte value included, and back', () => {
    for (let lead = 0; lead < 256; lead += CLIENT_TAG_SIZE) {
      const tag = Uint8Array.from({ length: CLIENT_TAG_SIZE }, (_, i) => lead + i);
      const text = tagText(tag);
      expect(text).toHaveLength(CLIENT_TAG_SIZE);
      expect(Uint8Array.from(text, (c) => c.charCodeAt(0))).toEqual(tag);
    }
  });

  it('gives the bucket number and the match the bytes give, for any tag and any datagram', () => {
    fc.assert(
      fc.property(tagArb, tagArb, (held, sent) => {
        const text = tagText(held);
        expect(bucketOfText(text)).toBe(bucketOf(held, 0));
        expect(bucketOfText(text)).toBe(bucketOf(carrying(held), CLIENT_TAG_OFFSET));
        expect(sameTagText(text, carrying(held))).toBe(true);
        expect(sameTagText(text, carrying(sent))).toBe(held.every((byte, i) => byte === sent[i]));
      }),
      { numRuns: 2000 },
    );
  });

  it('takes exactly a tag: a shorter or longer array is refused, not padded', () => {
    expect(() => tagText(new Uint8Array(CLIENT_TAG_SIZE - 1))).toThrow(RangeError);
    expect(() => tagText(new Uint8Array(CLIENT_TAG_SIZE + 1))).toThrow(RangeError);
  });

  it('refuses a datagram whose tag differs in any one bit, the last byte included', () => {
    const held = Uint8Array.from({ length: CLIENT_TAG_SIZE }, (_, i) => 0xf0 ^ i);
    const text = tagText(held);
    for (let bit = 0; bit < CLIENT_TAG_SIZE * 8; bit++) {
      const sent = held.slice();
      sent[bit >> 3]! ^= 1 << (bit & 7);
      expect(sameTagText(text, carrying(sent))).toBe(false);
    }
  });
});
