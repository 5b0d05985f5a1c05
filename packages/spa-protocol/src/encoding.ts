/** Base64url without padding, for one-line key texts (docs/protocol.md §1). @module */
import { base64urlnopad } from '@scure/base';

export function encodeBase64url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Each ASCII code's 6-bit value, -1 for a character outside the alphabet. */
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/**
 * Undefined for anything that is not strict, canonical base64url of exactly `length` bytes: the one
 * text encodeBase64url gives for them (no padding, no other character, the unused low bits zero).
 * Decoded here rather than by a decode and a re-encode to compare: a fleet's load decodes 10,000 key
 * texts, and the pair cost ten times this loop.
 */
export function decodeBase64url(text: string, length: number): Uint8Array | undefined {
  if (typeof text !== 'string' || !Number.isInteger(length) || length < 0) return undefined;
  if (text.length !== Math.ceil((length * 4) / 3)) return undefined;
  const out = new Uint8Array(length);
  let bits = 0;
  let held = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
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
