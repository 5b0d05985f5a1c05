/** Profiles checked entry by entry: the outline must hold, a broken entry is kept aside with its first bad field. */
import { SpaError } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { brokenHostError, parseClientProfileEntries } from './client-profile-entries.js';

const KEY = `spa-x25519:${'A'.repeat(43)}`;

describe('parseClientProfileEntries', () => {
  it('keeps the good entries usable and names the first bad field of a broken one', () => {
    const parsed = parseClientProfileEntries({
      hosts: {
        good: { serverKey: KEY, timeOffset: -90 },
        typo: { serverKey: KEY, prot: 1 },
        bad: { host: '192.0.2.9', serverKey: 'nope' },
      },
    });
    expect(parsed.hosts).toEqual({ good: { serverKey: KEY, timeOffset: -90 } });
    expect(parsed.broken.typo).toEqual({
      field: 'hosts.typo.prot',
      message: 'unknown field',
      host: undefined,
    });
    expect(parsed.broken.bad).toMatchObject({ field: 'hosts.bad.serverKey', host: '192.0.2.9' });
    const error = brokenHostError(parsed.broken.bad!);
    expect(error).toBeInstanceOf(SpaError);
    expect(error.message).toMatch(/^hosts\.bad\.serverKey: expected a server public key/);
  });

  it('still refuses the whole file when its outline is wrong', () => {
    expect(() => parseClientProfileEntries({ hosts: {}, extra: 1 })).toThrow(/^extra: unknown field$/);
    expect(() => parseClientProfileEntries([])).toThrow(/expected an object with "hosts"/);
    expect(() => parseClientProfileEntries({ hosts: { '': { serverKey: KEY } } })).toThrow(/host name/);
  });

  it('bounds timeOffset to a week either way', () => {
    const parsed = parseClientProfileEntries({
      hosts: { far: { serverKey: KEY, timeOffset: 604_801 }, half: { serverKey: KEY, timeOffset: 1.5 } },
    });
    expect(Object.keys(parsed.broken)).toEqual(['far', 'half']);
  });
});
