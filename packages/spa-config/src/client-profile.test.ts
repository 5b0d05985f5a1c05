/** The client profile schema: the shape spa-server client-config prints, strictness, and one-line errors naming the field. */
import fc from 'fast-check';
import { SpaError } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { parseClientProfile } from './client-profile.js';

const KEY = `spa-x25519:${'A'.repeat(43)}`;

describe('parseClientProfile', () => {
  it('accepts what spa-server client-config prints (services as a map of one port or a list)', () => {
    const profile = {
      hosts: {
        'vpn.example.com': {
          host: 'vpn.example.com',
          port: 62201,
          serverKey: KEY,
          services: { ssh: 'tcp/22', web: ['tcp/80', 'tcp/443'] },
          keyFile: '~/.config/spa/alice.key',
          allowIp: 'auto',
        },
      },
    };
    expect(parseClientProfile(profile)).toEqual(profile);
  });

  it('accepts the list form of services, address lists, stun targets and a duration', () => {
    for (const allowIp of [
      'source',
      'stun=stun.example.net',
      'stun=[2001:db8::1]:3478',
      'stun=192.0.2.1:3478,stun=stun.example.net',
      ['stun=192.0.2.1', 'stun=[2001:db8::1]:3479'],
      'https://ip.example.net/',
      '198.51.100.7',
      ['2001:db8::7', 'auto'],
    ]) {
      expect(() =>
        parseClientProfile({
          hosts: { a: { serverKey: KEY, services: ['ssh', 'tcp/8443'], allowIp, duration: 60 } },
        }),
      ).not.toThrow();
    }
  });

  it('accepts discovery sources, a CA file and the maximum duration', () => {
    const entry = {
      serverKey: KEY,
      discover: ['https://ip.example.net/', 'stun=192.0.2.1', 'stun=192.0.2.2:3479'],
      discoverCa: '~/.config/spa/ca.pem',
      maxDuration: 900,
    };
    expect(parseClientProfile({ hosts: { a: entry } }).hosts.a).toEqual(entry);
    const one = { serverKey: KEY, discover: 'https://ip.example.net/' };
    expect(parseClientProfile({ hosts: { a: one } }).hosts.a).toEqual(one);
  });

  it.each([
    [{ hosts: { a: { serverKey: KEY, prot: 1 } } }, 'hosts.a.prot', /unknown field/],
    [{ hosts: { a: { serverKey: KEY, allowIp: 'stun' } } }, 'hosts.a.allowIp', /stun=HOST:PORT/],
    [
      { hosts: { a: { serverKey: KEY, discover: 'http://ip.example.net/' } } },
      'hosts.a.discover',
      /https:\/\/URL or stun=HOST:PORT/,
    ],
    [{ hosts: { a: { serverKey: KEY, discover: ['auto'] } } }, 'hosts.a.discover', /https:\/\/URL/],
    [{ hosts: { a: { serverKey: KEY, maxDuration: 0 } } }, 'hosts.a.maxDuration', /at least 1/],
    [
      { hosts: { 'vpn.example.com': { serverKey: 'spa-ed25519:xyz' } } },
      'hosts["vpn.example.com"].serverKey',
      /spa-x25519/,
    ],
    [{ hosts: { a: { serverKey: KEY, port: 0 } } }, 'hosts.a.port', /1-65535/],
    [{ hosts: { a: { serverKey: KEY, services: { ssh: 'tcp/0' } } } }, 'hosts.a.services', /tcp\/PORT/],
    [
      { hosts: { a: { serverKey: KEY, services: { 'Bad Name': 'tcp/22' } } } },
      'hosts.a.services',
      /service name/,
    ],
    [{ hosts: { a: { serverKey: KEY, allowIp: 'everyone' } } }, 'hosts.a.allowIp', /source, auto/],
    [{ hosts: { a: { serverKey: KEY, duration: -1 } } }, 'hosts.a.duration', /seconds/],
    [{ hosts: { a: {} } }, 'hosts.a.serverKey', /server public key/],
    [{ host: {} }, 'host', /unknown field/],
    [[], '', /hosts/],
  ])('refuses %j at %s', (value, field, message) => {
    const error = (() => {
      try {
        parseClientProfile(value);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SpaError);
    expect((error as SpaError).field.startsWith(field)).toBe(true);
    expect((error as SpaError).message).toMatch(message);
    expect((error as SpaError).message).not.toContain('\n');
  });

  it('throws only SpaError, one line, for any JSON value', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.record({ hosts: fc.dictionary(fc.string(), fc.jsonValue()) })),
        (value) => {
          try {
            parseClientProfile(value);
          } catch (error) {
            expect(error).toBeInstanceOf(SpaError);
            expect((error as Error).message).not.toContain('\n');
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
