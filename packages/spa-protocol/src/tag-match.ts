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

/** Tags are public once sent, so a plain compare is enough; it still reads all 16 bytes. */
export function sameTag(tag: Uint8Array, datagram: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < CLIENT_TAG_SIZE; i++) diff |= tag[i]! ^ datagram[CLIENT_TAG_OFFSET + i]!;
  return diff === 0;
}
