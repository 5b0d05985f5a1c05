/** The --allow-ip grammar: modes, lists, discovery sources, and the mistakes it refuses. */
import { describe, expect, it } from 'vitest';
import { parseDiscoverySources, parseStunServer } from '../discovery/discovery-sources.js';
import { DEFAULT_ALLOW_IP, describeAllowIp, parseAllowIp } from './allow-ip.js';

describe('parseAllowIp', () => {
  it('nothing given is the scoped default, never source; the named modes parse', () => {
    expect(parseAllowIp([])).toEqual(DEFAULT_ALLOW_IP);
    expect(parseAllowIp([])).toMatchObject({ source: false, scoped: true });
    expect(describeAllowIp(DEFAULT_ALLOW_IP)).toEqual(['default']);
    expect(parseAllowIp(['source'])).toMatchObject({ source: true, scoped: false });
    expect(parseAllowIp(['auto'])).toMatchObject({ source: false, auto: true, scoped: false });
    expect(parseAllowIp(['stun=192.0.2.1,stun=stun.example.net:3479']).discover).toEqual({
      https: [],
      stun: [
        { host: '192.0.2.1', port: 3478 },
        { host: 'stun.example.net', port: 3479 },
      ],
    });
    expect(parseAllowIp(['https://ip.example.net/echo']).discover).toEqual({
      https: ['https://ip.example.net/echo'],
      stun: [],
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

  it('refuses STUN without two servers: no built-in server, and one answer alone is not trusted', () => {
    expect(() => parseAllowIp(['stun'])).toThrow(/needs two servers .*none is built in/);
    expect(() => parseAllowIp(['stun=192.0.2.1:3478'])).toThrow(/one STUN server is not enough/);
    expect(() => parseAllowIp(['stun=192.0.2.1,stun=192.0.2.1:3478'])).toThrow(/not enough/);
  });

  it('refuses plain-HTTP discovery and URLs with credentials', () => {
    expect(() => parseAllowIp(['http://ip.example.net/'])).toThrow(/http:\/\/ is refused: .*https:\/\//);
    expect(() => parseAllowIp(['https://u:p@ip.example.net/'])).toThrow(/no user name or password/);
  });

  it('refuses more than 8 addresses (the wire limit) and more than 4 discovery sources', () => {
    const nine = Array.from({ length: 9 }, (_, i) => `192.0.2.${i + 1}`);
    expect(() => parseAllowIp(nine)).toThrow(/at most 8/);
    const five = Array.from({ length: 5 }, (_, i) => `stun=192.0.2.${i + 1}`);
    expect(() => parseDiscoverySources(five, '--discover')).toThrow(/at most 4 discovery sources/);
  });
});

describe('parseStunServer', () => {
  it('takes HOST:PORT, [IPv6]:PORT and HOST alone (port 3478)', () => {
    expect(parseStunServer('192.0.2.1:19302', 'x')).toEqual({ host: '192.0.2.1', port: 19302 });
    expect(parseStunServer('[2001:db8::1]:3479', 'x')).toEqual({ host: '2001:db8::1', port: 3479 });
    expect(parseStunServer('stun.example.net', 'x')).toEqual({ host: 'stun.example.net', port: 3478 });
  });

  it('refuses bad ports and bracketed non-IPv6', () => {
    for (const bad of ['host:0', 'host:70000', '[1.2.3.4]:3478', 'a b', '2001:db8::1:3478']) {
      expect(() => parseStunServer(bad, 'x'), bad).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
  });
});
