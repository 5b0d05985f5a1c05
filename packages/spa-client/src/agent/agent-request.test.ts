/** The agent's first line: what `connect HOST PORT` accepts, and every malformed line it refuses by name. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findLineEnd, MAX_LINE_BYTES, parseRequestLine, REFUSALS } from './agent-request.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('parseRequestLine', () => {
  it('accepts what the printed ProxyCommand sends: a profile name or address, and a port', () => {
    expect(parseRequestLine(bytes('connect vpn.example.com 22\n'))).toEqual({
      ok: true,
      request: { host: 'vpn.example.com', port: 22 },
    });
    expect(parseRequestLine(bytes('connect 2001:db8::7 65535\n'))).toMatchObject({
      request: { host: '2001:db8::7', port: 65535 },
    });
  });

  it.each([
    ['open vpn 22\n', REFUSALS.unknownCommand],
    ['\n', REFUSALS.unknownCommand],
    ['connect vpn\n', REFUSALS.malformed],
    ['connect vpn 22 extra\n', REFUSALS.malformed],
    ['connect  vpn 22\n', REFUSALS.malformed],
    ['connect vpn 22\r\n', REFUSALS.malformed],
    ['connect\tvpn 22\n', REFUSALS.malformed],
    ['connect vpn\u0000 22\n', REFUSALS.malformed],
    ['connect vpné 22\n', REFUSALS.malformed],
    ['connect vpn 22', REFUSALS.malformed],
    ['connect ../../etc/passwd 22\n', REFUSALS.badHost],
    ['connect $(reboot) 22\n', REFUSALS.badHost],
    ['connect vpn 0\n', REFUSALS.badPort],
    ['connect vpn 65536\n', REFUSALS.badPort],
    ['connect vpn 022\n', REFUSALS.badPort],
    ['connect vpn -1\n', REFUSALS.badPort],
    ['connect vpn 99999999999\n', REFUSALS.badPort],
  ])('refuses %j as %s', (line, refusal) => {
    expect(parseRequestLine(bytes(line))).toEqual({ ok: false, refusal });
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: MAX_LINE_BYTES + 8 }), (line) => {
        const parsed = parseRequestLine(line);
        expect(typeof parsed.ok).toBe('boolean');
      }),
    );
  });
});

describe('findLineEnd', () => {
  it('waits for more until a newline, and gives the index after it', () => {
    expect(findLineEnd(bytes('connect vpn'))).toBeUndefined();
    expect(findLineEnd(bytes('connect vpn 22\nSSH-2.0-'))).toBe(15);
  });

  it('refuses a line that reaches the cap without a newline, however much more arrives', () => {
    expect(findLineEnd(new Uint8Array(MAX_LINE_BYTES - 1).fill(0x61))).toBeUndefined();
    expect(findLineEnd(new Uint8Array(MAX_LINE_BYTES).fill(0x61))).toBe(REFUSALS.lineTooLong);
    const late = new Uint8Array(MAX_LINE_BYTES + 10).fill(0x61);
    late[MAX_LINE_BYTES + 5] = 0x0a;
    expect(findLineEnd(late)).toBe(REFUSALS.lineTooLong);
  });
});
