/** Base64url without padding, for one-line key texts (docs/protocol.md §1). @module */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/*
 * Encoded here too: a client table names each key by its text (10,000 keys at a fleet's load, twice
 * each), and @scure/base's general radix conversion cost ~2 µs and ~600 bytes of garbage a key, this
 * loop a fraction of either. The tests hold it to @scure/base's output. The characters go into one
 * array and become a string at once: appended four at a time, a key's text was a rope of eight
 * nodes, which a table keeps as its map key and the collector copies with it.
 */
export function encodeBase64url(bytes: Uint8Array): string {
  // fromCharCode.apply takes the codes as arguments: a long input goes in pieces, within the stack.
  if (bytes.length > PIECE) {
    let text = '';
    for (let at = 0; at < bytes.length; at += PIECE) text += encodeBase64url(bytes.subarray(at, at + PIECE));
    return text;
  }
  const codes = scratchCodes;
  codes.length = Math.ceil((bytes.length * 4) / 3);
  let at = 0;
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    codes[at++] = CODES[n >> 18]!;
    codes[at++] = CODES[(n >> 12) & 63]!;
    codes[at++] = CODES[(n >> 6) & 63]!;
    codes[at++] = CODES[n & 63]!;
  }
  const left = bytes.length - i;
  if (left === 1) {
    const n = bytes[i]!;
    codes[at++] = CODES[n >> 2]!;
    codes[at++] = CODES[(n & 3) << 4]!;
  } else if (left === 2) {
    const n = (bytes[i]! << 8) | bytes[i + 1]!;
    codes[at++] = CODES[n >> 10]!;
    codes[at++] = CODES[(n >> 4) & 63]!;
    codes[at++] = CODES[(n & 15) << 2]!;
  }
  const text = String.fromCharCode.apply(null, codes);
  codes.fill(0); // a private key's text is encoded here too
  return text;
}

/** Bytes encoded per piece: a multiple of 3, so that only the last piece ends short. */
const PIECE = 3 * 1024;

/** Each 6-bit value's character code. */
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** One text at a time (synchronous): its character codes, reused by every call. */
const scratchCodes: number[] = [];
/** Each ASCII code's 6-bit value, -1 for a character outside the alphabet. */
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/**
 * Undefined for anything that is not strict, canonical base64url of exactly `length` bytes: the one
 * text encodeBase64url gives for them (no padding, no other character, the unused low bits zero).
 * Reads `text` from index `from` to its end (a key text past its prefix, with no slice made).
 * Decoded here rather than by a decode and a re-encode to compare: a fleet's load decodes 10,000 key
 * texts, and the pair cost ten times this loop.
 */
export function decodeBase64url(text: string, length: number, from = 0): Uint8Array | undefined {
  if (typeof text !== 'string' || !Number.isInteger(length) || length < 0) return undefined;
  if (!Number.isInteger(from) || from < 0 || text.length - from !== Math.ceil((length * 4) / 3))
    return undefined;
  const out = new Uint8Array(length);
  let bits = 0;
  let held = 0;
  let at = 0;
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? VALUES[code]! : -1;
    if (value < 0) return undefined;
    // At most 12 bits are held at once: six carried over and six new.
    held = ((held << 6) | value) & 0xfff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (held >> bits) & 0xff;
    }
  }
  // The last character's bits below the final byte must be zero: one text per key.
  return (held & ((1 << bits) - 1)) === 0 ? out : undefined;
}
