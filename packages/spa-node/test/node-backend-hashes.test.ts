/** The Node backend's hashes, HKDF (RFC 5869's vectors, and hkdfSync's bytes) and keyed HMAC (against createHmac). */
import { createHmac, hash, hkdfSync, randomBytes } from 'node:crypto';
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

  it("gives hkdfSync's bytes for salts shorter than, equal to and longer than a block", () => {
    for (const saltLength of [0, 1, 14, 32, 63, 64, 65, 200]) {
      for (const [ikmLength, infoLength] of [
        [0, 0],
        [32, 64],
        [100, 1],
        [7, 300],
        // A key material past keyed-hmac's scratch (1,536 bytes): its createHmac path.
        [2000, 3],
        [32, 1020],
      ] as const) {
        const [ikm, salt, info] = [randomBytes(ikmLength), randomBytes(saltLength), randomBytes(infoLength)];
        for (const length of [1, 16, 31, 32, 33, 100]) {
          const expected = Buffer.from(hkdfSync('sha256', ikm, salt, info, length)).toString('hex');
          expect(hex(nodeBackend.hkdfSha256(ikm, salt, info, length)), `salt ${saltLength}, ${length}`).toBe(
            expected,
          );
        }
      }
    }
  });

  it('leaves its inputs as they were', () => {
    const [ikm, salt, info] = [randomBytes(32), randomBytes(14), randomBytes(64)];
    const copies = [ikm, salt, info].map((b) => Buffer.from(b));
    nodeBackend.hkdfSha256(ikm, salt, info, 32);
    expect([ikm, salt, info]).toEqual(copies);
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

describe('nodeBackend.hmacSha256Keyed', () => {
  const viaOpenSsl = (key: Uint8Array, data: Uint8Array): string =>
    createHmac('sha256', key).update(data).digest('hex');

  it("gives createHmac's bytes for keys shorter than, equal to and longer than a block", () => {
    for (const keyLength of [0, 1, 16, 32, 63, 64, 65, 100, 200]) {
      const key = randomBytes(keyLength);
      const keyed = nodeBackend.hmacSha256Keyed(key);
      for (const n of [0, 1, 55, 56, 63, 64, 119, 244, 1184, 1200, 1536, 1537, 4000]) {
        const data = randomBytes(n);
        expect(hex(keyed(data)), `key ${keyLength}, message ${n}`).toBe(viaOpenSsl(key, data));
      }
    }
  });

  it('covers only the first `length` bytes, of a view as of a whole buffer', () => {
    const key = randomBytes(32);
    const keyed = nodeBackend.hmacSha256Keyed(key);
    const whole = randomBytes(1300);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 7, 1260);
    for (const length of [0, 244, 1244, 1260]) {
      expect(hex(keyed(view, length))).toBe(viaOpenSsl(key, view.subarray(0, length)));
    }
    expect(hex(keyed(whole, 1290))).toBe(viaOpenSsl(key, whole.subarray(0, 1290)));
  });

  it('keeps each key apart when several are used in turn, and ignores later changes to the key array', () => {
    const keys = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const expected = keys.map((k) => viaOpenSsl(k, Buffer.from('datagram')));
    const keyed = keys.map((k) => nodeBackend.hmacSha256Keyed(k));
    for (const k of keys) k.fill(0);
    for (let round = 0; round < 3; round++) {
      for (const [i, mac] of keyed.entries()) expect(hex(mac(Buffer.from('datagram')))).toBe(expected[i]);
    }
  });

  it('refuses a length outside the message, rather than hash bytes it was not given', () => {
    const keyed = nodeBackend.hmacSha256Keyed(randomBytes(32));
    for (const length of [-1, 11, 1.5, Number.NaN])
      expect(() => keyed(new Uint8Array(10), length)).toThrow(RangeError);
  });
});

describe('nodeBackend.hmacSha256', () => {
  const viaOpenSsl = (key: Uint8Array, data: Uint8Array): string =>
    createHmac('sha256', key).update(data).digest('hex');

  it("gives createHmac's bytes for keys and messages around a block and the scratch's size", () => {
    for (const keyLength of [0, 1, 32, 63, 64, 65, 200]) {
      for (const n of [0, 1, 25, 55, 56, 64, 1536, 1537, 4000]) {
        const [key, data] = [randomBytes(keyLength), randomBytes(n)];
        expect(hex(nodeBackend.hmacSha256(key, data)), `key ${keyLength}, message ${n}`).toBe(
          viaOpenSsl(key, data),
        );
      }
    }
  });

  it('hashes the bytes of a view, leaves its inputs alone, and mixes with the keyed form', () => {
    const key = randomBytes(32);
    const whole = randomBytes(100);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 3, 40);
    const copies = [Buffer.from(key), Buffer.from(whole)];
    const keyed = nodeBackend.hmacSha256Keyed(randomBytes(32));
    const before = hex(keyed(whole));
    expect(hex(nodeBackend.hmacSha256(key, view))).toBe(viaOpenSsl(key, whole.subarray(3, 43)));
    expect(hex(keyed(whole))).toBe(before);
    expect([Buffer.from(key), Buffer.from(whole)]).toEqual(copies);
  });
});
