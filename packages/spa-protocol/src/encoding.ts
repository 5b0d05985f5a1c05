/** Base64url without padding, for one-line key texts (docs/protocol.md §1). @module */
import { base64urlnopad } from '@scure/base';

export function encodeBase64url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/** Undefined for anything that is not strict, canonical base64url of exactly `length` bytes. */
export function decodeBase64url(text: string, length: number): Uint8Array | undefined {
  try {
    const bytes = base64urlnopad.decode(text);
    // Canonical only: re-encoding must give the same text (rejects stray low bits).
    if (bytes.length !== length || base64urlnopad.encode(bytes) !== text) return undefined;
    return bytes;
  } catch {
    return undefined;
  }
}
