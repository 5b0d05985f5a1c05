/** Merging client-config output into a profile: new names added, every other entry kept as it was, existing ones only with force. */
import { describe, expect, it } from 'vitest';
import { ClientError } from '../cli/errors.js';
import { mergeProfile } from './merge-profile.js';

const KEY = `spa-x25519:${'A'.repeat(43)}`;
const incoming = { hosts: { a: { serverKey: KEY, port: 1 } } };

describe('mergeProfile', () => {
  it('adds to an absent file, and keeps entries it does not name untouched, broken ones included', () => {
    expect(mergeProfile(undefined, incoming, false, 'p').merged).toEqual(incoming);
    const existing = { hosts: { b: { serverKey: 'not checked here', future: true } } };
    const { merged, added, replaced } = mergeProfile(existing, incoming, false, 'p');
    expect(merged.hosts).toEqual({ ...existing.hosts, ...incoming.hosts });
    expect([added, replaced]).toEqual([['a'], []]);
  });

  it('refuses to replace an entry without force (exit 73), replaces it with force', () => {
    const existing = { hosts: { a: { serverKey: KEY } } };
    let error: unknown;
    try {
      mergeProfile(existing, incoming, false, 'p');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).exitCode).toBe(73);
    expect((error as ClientError).message).toMatch(/"a" already has an entry; nothing written/);
    const forced = mergeProfile(existing, incoming, true, 'p');
    expect([forced.merged.hosts, forced.replaced]).toEqual([incoming.hosts, ['a']]);
  });
});
