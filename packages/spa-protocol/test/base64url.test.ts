/** decodeBase64url refuses exactly what a strict decode and a canonical re-encode by @scure/base refuse, and gives the same bytes; encodeBase64url gives @scure/base's text. */
import { base64urlnopad } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../src/encoding.js';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The decoder this one replaced: @scure/base's, then a re-encode that must give the text back. */
function reference(text: string, length: number): Uint8Array | undefined {
  try {
    const bytes = base64urlnopad.decode(text);
    if (bytes.length !== length || base64urlnopad.encode(bytes) !== text) return undefined;
    return bytes;
  } catch {
    return undefined;
  }
}

const hexOrNone = (b: Uint8Array | undefined): string | undefined => b && Buffer.from(b).toString('hex');

/** Texts near a real one: right and wrong lengths, stray bits, padding, other characters. */
const nearText = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 40 }).map((b) => encodeBase64url(b)),
  fc.string({ unit: fc.constantFrom(...B64URL), minLength: 0, maxLength: 46 }),
  fc
    .tuple(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.nat(43),
      fc.constantFrom('=', '+', '/', ' ', '\n', 'é', '\u0100', 'A', '_'),
    )
    .map(([b, at, c]) => {
      const text = encodeBase64url(b);
      return text.slice(0, at) + c + text.slice(at + 1);
    }),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `${encodeBase64url(b)}=`),
);

describe('decodeBase64url', () => {
  it('agrees with a decode and a canonical re-encode, for every length asked', () => {
    fc.assert(
      fc.property(nearText, fc.constantFrom(0, 1, 2, 3, 16, 31, 32, 33), (text, length) => {
        expect(hexOrNone(decodeBase64url(text, length))).toBe(hexOrNone(reference(text, length)));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses stray low bits in the last character, which a lax decoder would drop', () => {
    const key = new Uint8Array(32).fill(0xab);
    const text = encodeBase64url(key);
    const last = B64URL.indexOf(text.at(-1)!);
    for (const stray of [1, 2, 3]) {
      expect(decodeBase64url(text.slice(0, -1) + B64URL[last | stray], 32)).toBeUndefined();
    }
    expect(decodeBase64url(text, 32)).toEqual(key);
  });

  it('reads from an offset to the end, as it reads the same text without its first characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), nearText, fc.constantFrom(0, 16, 32), (head, text, length) => {
        expect(hexOrNone(decodeBase64url(head + text, length, head.length))).toBe(
          hexOrNone(decodeBase64url(text, length)),
        );
      }),
      { numRuns: 2000 },
    );
    for (const from of [-1, 0.5, Number.NaN]) expect(decodeBase64url('AAAA', 3, from)).toBeUndefined();
  });

  it('refuses a length that is not a whole number of bytes', () => {
    for (const length of [-1, 1.5, Number.NaN]) expect(decodeBase64url('AAAA', length)).toBeUndefined();
  });
});

describe('encodeBase64url', () => {
  it("gives @scure/base's text for every length, and decodeBase64url takes it back", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 70 }), (bytes) => {
        const text = encodeBase64url(bytes);
        expect(text).toBe(base64urlnopad.encode(bytes));
        expect(hexOrNone(decodeBase64url(text, bytes.length))).toBe(hexOrNone(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('encodes inputs longer than one piece (3,072 bytes) as one text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 3000, maxLength: 10_000 }), (bytes) => {
        expect(encodeBase64url(bytes)).toBe(base64urlnopad.encode(bytes));
      }),
      { numRuns: 50 },
    );
    const big = new Uint8Array(300_000).map((_, i) => i * 7);
    expect(encodeBase64url(big)).toBe(base64urlnopad.encode(big));
  });
});
