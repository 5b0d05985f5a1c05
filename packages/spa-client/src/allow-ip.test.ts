/** The --allow-ip grammar: modes, lists, STUN targets, and the mistakes it refuses. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_STUN_SERVER, describeAllowIp, parseAllowIp, parseStunServer } from './allow-ip.js';

describe('parseAllowIp', () => {
  it('defaults to source and accepts the named modes', () => {
    expect(parseAllowIp([])).toMatchObject({ source: true, addresses: [] });
    expect(parseAllowIp(['source'])).toMatchObject({ source: true });
    expect(parseAllowIp(['auto'])).toMatchObject({ source: false, auto: true });
    expect(parseAllowIp(['stun'])).toMatchObject({ stun: DEFAULT_STUN_SERVER });
    expect(parseAllowIp(['stun=stun.example.net:3479']).stun).toEqual({
      host: 'stun.example.net',
      port: 3479,
    });
  });

  it('collects explicit addresses from repeats and comma lists, canonical and deduplicated', () => {
    const allow = parseAllowIp(['198.51.100.7,2001:DB8:0:0::7', '198.51.100.7', 'auto']);
    expect(allow.addresses).toEqual(['198.51.100.7', '2001:db8::7']);
    expect(describeAllowIp(allow)).toEqual(['auto', '198.51.100.7', '2001:db8::7']);
  });

  it('refuses source mixed with anything, non-unicast addresses and junk, naming the option', () => {
    expect(() => parseAllowIp(['source,auto'])).toThrow(/--allow-ip: "source" .* cannot be combined/);
    for (const bad of ['0.0.0.0', '224.0.0.1', '::ffff:1.2.3.4', '127.1', 'fe80::1%eth0', 'me', '']) {
      expect(() => parseAllowIp([bad]), bad).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
    expect(() => parseAllowIp(['bogus'], 'profile: allowIp')).toThrow(/^profile: allowIp: /);
  });

  it('refuses more than 8 addresses (the wire limit)', () => {
    const nine = Array.from({ length: 9 }, (_, i) => `192.0.2.${i + 1}`);
    expect(() => parseAllowIp(nine)).toThrow(/at most 8/);
  });
});

describe('parseStunServer', () => {
  it('takes HOST:PORT, [IPv6]:PORT and HOST alone (port 3478)', () => {
    expect(parseStunServer('192.0.2.1:19302')).toEqual({ host: '192.0.2.1', port: 19302 });
    expect(parseStunServer('[2001:db8::1]:3479')).toEqual({ host: '2001:db8::1', port: 3479 });
    expect(parseStunServer('stun.example.net')).toEqual({ host: 'stun.example.net', port: 3478 });
  });

  it('refuses bad ports and bracketed non-IPv6', () => {
    for (const bad of ['host:0', 'host:70000', '[1.2.3.4]:3478', 'a b', '2001:db8::1:3478']) {
      expect(() => parseStunServer(bad), bad).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
  });
});
