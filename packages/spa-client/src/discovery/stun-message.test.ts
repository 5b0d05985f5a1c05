/** STUN message parsing: RFC 5769 sample responses, rejections, and no throw on arbitrary bytes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBindingRequest, parseBindingResponse } from './stun-message.js';

const hex = (s: string): Uint8Array =>
  Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!, (b) => Number.parseInt(b, 16));
const TID = hex('b7e7a701 bc34d686 fa87dfae');

// RFC 5769 §2.2 and §2.3: SOFTWARE, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT.
const RFC5769_IPV4 = hex(`
  0101003c 2112a442 b7e7a701 bc34d686 fa87dfae
  8022000b 74657374 20766563 746f7220
  00200008 0001a147 e112a643
  00080014 2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7
  80280004 c07d4c96`);
const RFC5769_IPV6 = hex(`
  01010048 2112a442 b7e7a701 bc34d686 fa87dfae
  8022000b 74657374 20766563 746f7220
  00200014 0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9
  00080014 a382954e 4be67bf1 1784c97c 8292c275 bfe3ed41
  80280004 c8fb0b4c`);

describe('parseBindingResponse', () => {
  it('reads the RFC 5769 IPv4 sample response', () => {
    expect(parseBindingResponse(RFC5769_IPV4, TID)).toEqual({
      ok: true,
      mapped: { family: 4, address: '192.0.2.1', port: 32853 },
    });
  });

  it('reads the RFC 5769 IPv6 sample response', () => {
    expect(parseBindingResponse(RFC5769_IPV6, TID)).toEqual({
      ok: true,
      mapped: { family: 6, address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 },
    });
  });

  it('falls back to MAPPED-ADDRESS when there is no XOR form', () => {
    const msg = hex(`01010000 2112a442 ${'00'.repeat(12)} 00010008 00011f90 cb007107`);
    new DataView(msg.buffer).setUint16(2, 12);
    expect(parseBindingResponse(msg, new Uint8Array(12))).toEqual({
      ok: true,
      mapped: { family: 4, address: '203.0.113.7', port: 8080 },
    });
  });

  it('ignores answers to other transactions and non-STUN datagrams', () => {
    const other = TID.slice();
    other[0]! ^= 1;
    expect(parseBindingResponse(RFC5769_IPV4, other)).toMatchObject({ ok: false, reason: 'not-ours' });
    const noCookie = RFC5769_IPV4.slice();
    noCookie[4] = 0;
    expect(parseBindingResponse(noCookie, TID)).toMatchObject({ ok: false, reason: 'not-stun' });
    expect(parseBindingResponse(new Uint8Array(10), TID)).toMatchObject({ ok: false, reason: 'not-stun' });
  });

  it('refuses a length field that disagrees with the datagram, and attributes running past the end', () => {
    expect(parseBindingResponse(RFC5769_IPV4.subarray(0, RFC5769_IPV4.length - 4), TID)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
    const overrun = RFC5769_IPV4.slice();
    overrun[22] = 0xff; // SOFTWARE claims 0xff0b bytes
    expect(parseBindingResponse(overrun, TID)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('reports an error response with its code', () => {
    const msg = hex(`01110008 2112a442 ${'00'.repeat(12)} 00090004 00000400`);
    expect(parseBindingResponse(msg, new Uint8Array(12))).toEqual({
      ok: false,
      reason: 'error-response',
      errorCode: 400,
    });
  });

  it('never throws on arbitrary bytes, even with the right header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (body, withHeader) => {
        let msg = body;
        if (withHeader) {
          const padded = new Uint8Array(20 + body.length - (body.length % 4));
          padded.set(body.subarray(0, padded.length - 20), 20);
          const view = new DataView(padded.buffer);
          view.setUint16(0, 0x0101);
          view.setUint16(2, padded.length - 20);
          view.setUint32(4, 0x2112a442);
          padded.set(TID, 8);
          msg = padded;
        }
        const result = parseBindingResponse(msg, TID);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('encodeBindingRequest', () => {
  it('is the 20-byte header of RFC 5389 §6 with the transaction id', () => {
    const msg = encodeBindingRequest(TID);
    expect(Buffer.from(msg).toString('hex')).toBe('000100002112a442b7e7a701bc34d686fa87dfae');
    expect(() => encodeBindingRequest(new Uint8Array(11))).toThrow(RangeError);
  });
});
