import { describe, expect, it } from 'vitest';
import { lineTimeMs, openAfterMsOf, proxyCommandOf, SSH_BANNER_LINE } from './felt-output.js';

describe('lineTimeMs', () => {
  const lines = [
    { t: 3.1, text: 'debug1: Reading configuration data /dev/null' },
    { t: 9.7, text: 'debug1: Connection established.' },
    { t: 12.4, text: 'debug1: Remote protocol version 2.0, remote software version OpenSSH_9.2p1 Debian-2' },
    { t: 14.0, text: 'debug1: Remote protocol version 2.0 (again)' },
  ];

  it('gives the arrival time of the first banner line', () => {
    expect(lineTimeMs(lines, SSH_BANNER_LINE)).toBe(12.4);
  });

  it('is undefined when ssh never read a banner', () => {
    expect(lineTimeMs(lines.slice(0, 2), SSH_BANNER_LINE)).toBeUndefined();
  });

  it('does not take a line that only mentions the text further on', () => {
    const echoed = [{ t: 1, text: `spa-client: saw ${SSH_BANNER_LINE}` }];
    expect(lineTimeMs(echoed, SSH_BANNER_LINE)).toBeUndefined();
  });
});

describe('openAfterMsOf', () => {
  const report = (ports: unknown) => JSON.stringify({ command: 'open', wait: { opened: true, ports } });

  it("reads the client's open-after time", () => {
    expect(openAfterMsOf(report([{ address: '10.0.0.1', port: 22, openAfterMs: 7 }]))).toBe(7);
  });

  it('takes the slowest port when several were probed', () => {
    expect(openAfterMsOf(report([{ openAfterMs: 7 }, { openAfterMs: 11 }]))).toBe(11);
  });

  it('is undefined for a port that never opened, no wait, or output that is not JSON', () => {
    expect(openAfterMsOf(report([{ openAfterMs: 7 }, {}]))).toBeUndefined();
    expect(openAfterMsOf(JSON.stringify({ command: 'open', wait: null }))).toBeUndefined();
    expect(openAfterMsOf('open: 10.0.0.1 tcp/22 after 7 ms')).toBeUndefined();
    expect(openAfterMsOf('null')).toBeUndefined();
  });
});

describe('proxyCommandOf', () => {
  it('leaves plain arguments as they are', () => {
    expect(proxyCommandOf('/usr/bin/node', ['cli.js', 'connect', '--port', '22'])).toBe(
      '/usr/bin/node cli.js connect --port 22',
    );
  });

  it('quotes what a shell would split or expand, and doubles % so ssh expands no token', () => {
    expect(proxyCommandOf('node', ['a b', "it's", '$HOME', '100%h'])).toBe(
      `node 'a b' 'it'\\''s' '$HOME' '100%%h'`,
    );
  });
});
