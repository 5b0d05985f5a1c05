/** Addresses from bytes: the same canonical text as parsing gives, for any 4 or 16 bytes, and nothing for other lengths. */
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { addressFromBytes, parseAddress } from '../src/address.js';

// Mostly zero groups, so runs of every length and position (ties included) come up.
const group = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 0xffff }) },
);
const ipv6Bytes = fc.array(group, { minLength: 8, maxLength: 8 }).map((groups) => {
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 255;
  });
  return bytes;
});

describe('addressFromBytes', () => {
  it('formats IPv6 as RFC 5952 text, as parseAddress and ipaddr.js do, and parses back to the bytes', () => {
    fc.assert(
      fc.property(fc.oneof(ipv6Bytes, fc.uint8Array({ minLength: 16, maxLength: 16 })), (bytes) => {
        const address = addressFromBytes(bytes);
        expect(address?.text).toBe(ipaddr.fromByteArray([...bytes]).toString());
        expect(address).toEqual(parseAddress(address?.text ?? ''));
      }),
      { numRuns: 2000 },
    );
  });

  it('formats IPv4 as a dotted quad', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
        const address = addressFromBytes(bytes);
        expect(address).toEqual(parseAddress([...bytes].join('.')));
        expect(address?.family).toBe(4);
      }),
    );
  });

  it('compresses the first of two equal zero runs, never a single zero group, and keeps mapped IPv4 in hex', () => {
    const v6 = (...groups: number[]) =>
      addressFromBytes(new Uint8Array(groups.flatMap((g) => [g >> 8, g & 255])))?.text;
    expect(v6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1)).toBe('2001:db8::1:0:0:1');
    expect(v6(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1)).toBe('2001:db8:0:1:1:1:1:1');
    expect(v6(0, 0, 0, 0, 0, 0, 0, 0)).toBe('::');
    expect(v6(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201)).toBe('::ffff:c000:201');
  });

  it("refuses any other length, and keeps no reference to the caller's bytes", () => {
    expect(addressFromBytes(new Uint8Array(5))).toBeUndefined();
    expect(addressFromBytes(new Uint8Array(0))).toBeUndefined();
    const bytes = Uint8Array.of(192, 0, 2, 1);
    const address = addressFromBytes(bytes);
    bytes[3] = 9;
    expect(address?.text).toBe('192.0.2.1');
    expect([...(address?.bytes ?? [])]).toEqual([192, 0, 2, 1]);
  });
});
