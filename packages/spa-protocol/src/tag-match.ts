/** Matching a datagram's client tag (docs/protocol.md §7 3) without allocating: a bucket number, then the whole tag. @module */
import { CLIENT_TAG_OFFSET, CLIENT_TAG_SIZE } from './constants.js';

/**
 * The first four tag bytes as a signed 32-bit number: a Map key that costs no allocation to read
 * from a datagram. Signed, not `>>> 0`: on 64-bit V8 without pointer compression (Node's builds) a
 * small integer holds 32 signed bits, and an unsigned key of 2^31 or more was a heap number, one
 * per datagram read and per tag held.
 */
export function bucketOf(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
}

/**
 * A held tag as text: one latin1 character per byte (16 characters). One string on V8's heap, where
 * a 16-byte Uint8Array is three objects (the view, its buffer, its bytes): a fleet's table holds a
 * tag per client per epoch (30,000 at a start of 10,000 clients), which the collector copies as the
 * table is built and marks at each full collection.
 */
export function tagText(tag: Uint8Array): string {
  if (tag.length !== CLIENT_TAG_SIZE)
    throw new RangeError(`a client tag is ${CLIENT_TAG_SIZE} bytes, not ${tag.length}`);
  return String.fromCharCode(
    tag[0]!,
    tag[1]!,
    tag[2]!,
    tag[3]!,
    tag[4]!,
    tag[5]!,
    tag[6]!,
    tag[7]!,
    tag[8]!,
    tag[9]!,
    tag[10]!,
    tag[11]!,
    tag[12]!,
    tag[13]!,
    tag[14]!,
    tag[15]!,
  );
}

/** bucketOf for a tag held as text: the same number as its bytes give. */
export function bucketOfText(tag: string): number {
  return (tag.charCodeAt(0) << 24) | (tag.charCodeAt(1) << 16) | (tag.charCodeAt(2) << 8) | tag.charCodeAt(3);
}

/** Whether the datagram carries this held tag. Tags are public once sent, so a plain compare is enough; it still reads all 16 characters. */
export function sameTagText(tag: string, datagram: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < CLIENT_TAG_SIZE; i++) diff |= tag.charCodeAt(i) ^ datagram[CLIENT_TAG_OFFSET + i]!;
  return diff === 0;
}
