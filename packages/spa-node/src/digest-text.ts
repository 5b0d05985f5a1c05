/** A digest that node:crypto's hash() gave as latin1 text ('binary': one character per byte), as bytes. @module */

/*
 * Text, not a Buffer: a Buffer from hash() costs ~0.9 µs of allocation per call (an off-heap store
 * each), more than SHA-256 itself over a datagram; a small Uint8Array stays on V8's heap. Only for
 * digests of public data or ones that are MACs: a string cannot be wiped.
 */
export function bytesOfDigest(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
