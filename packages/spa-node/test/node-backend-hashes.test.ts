/** The Node backend's hashes and HKDF: RFC 5869's vectors (node:crypto's hkdfSync underneath). */
import { hash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../src/node-backend.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

// RFC 5869 appendix A, test cases 1 and 3 (SHA-256).
const CASES = [
  {
    ikm: '0b'.repeat(22),
    salt: '000102030405060708090a0b0c',
    info: 'f0f1f2f3f4f5f6f7f8f9',
    okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
  },
  {
    ikm: '0b'.repeat(22),
    salt: '',
    info: '',
    okm: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
  },
];

describe('nodeBackend.hkdfSha256', () => {
  it("gives RFC 5869's output, for one block and for more", () => {
    for (const c of CASES) {
      for (const length of [16, 32, 42]) {
        const okm = nodeBackend.hkdfSha256(unhex(c.ikm), unhex(c.salt), unhex(c.info), length);
        expect(hex(okm)).toBe(c.okm.slice(0, 2 * length));
      }
    }
  });
});

describe('nodeBackend.sha256 and sha512', () => {
  it('hash the bytes of a view, not of the buffer under it', () => {
    const whole = randomBytes(100);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 10, 50);
    expect(hex(nodeBackend.sha256(view))).toBe(hash('sha256', whole.subarray(10, 60)));
    expect(hex(nodeBackend.sha512(view))).toBe(hash('sha512', whole.subarray(10, 60)));
    expect(hex(nodeBackend.sha256(new Uint8Array()))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});
