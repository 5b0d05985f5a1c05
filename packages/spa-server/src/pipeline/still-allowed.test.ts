/** stillAllowed: what a reload, a restart or a commit in flight lets a client keep, on an injected clock. */
import { nodeBackend } from 'spa-node';
import { describe, expect, it } from 'vitest';
import { makeClient, makeFixture, SERVICES } from '../../test/fixtures.js';
import type { GrantTarget } from '../firewall/driver.js';
import { buildRuntime } from './runtime.js';
import { stillAllowed, whyNotAllowed } from './still-allowed.js';

const NOW = 1_700_000_000_000;
const SSH: GrantTarget = { family: 4, address: '192.0.2.7', protocol: 'tcp', port: 22 };
const limits = { services: SERVICES };

describe('stillAllowed', () => {
  const alice = makeClient('alice', { expiresAtMs: NOW + 60_000 });
  const bob = makeClient('bob', { services: ['dns'] });
  const rt = buildRuntime(makeFixture({}, [alice, bob]).config, nodeBackend);
  const keyOf = (c: typeof alice) => c.resolved.keyIdHex;

  it('keeps a grant of a configured client until its key expires, and not from that instant on', () => {
    expect(stillAllowed(rt, keyOf(alice), SSH, NOW)).toBe(true);
    expect(stillAllowed(rt, keyOf(alice), SSH, NOW + 59_999)).toBe(true);
    expect(stillAllowed(rt, keyOf(alice), SSH, NOW + 60_000)).toBe(false);
    expect(stillAllowed(rt, keyOf(alice), SSH, NOW + 86_400_000)).toBe(false);
  });

  it('a client without expires keeps what its services cover, at any time', () => {
    const dns: GrantTarget = { ...SSH, protocol: 'udp', port: 53 };
    expect(stillAllowed(rt, keyOf(bob), dns, NOW + 10 * 365 * 86_400_000)).toBe(true);
    expect(stillAllowed(rt, keyOf(bob), SSH, NOW)).toBe(false);
  });

  it('refuses a key not configured', () => {
    expect(stillAllowed(rt, 'cc'.repeat(16), SSH, NOW)).toBe(false);
  });
});

describe('whyNotAllowed', () => {
  const client = (over: Parameters<typeof makeClient>[1] = {}) => makeClient('alice', over).resolved;

  it('names why: removed, expired, or a service, network or one-shot setting that changed', () => {
    expect(whyNotAllowed(client(), limits, SSH, NOW)).toBeUndefined();
    expect(whyNotAllowed(undefined, limits, SSH, NOW)).toBe('removed');
    expect(whyNotAllowed(client({ expiresAtMs: NOW }), limits, SSH, NOW)).toBe('expired');
    expect(whyNotAllowed(client({ services: ['dns'] }), limits, SSH, NOW)).toBe('changed');
    expect(whyNotAllowed(client({ sourceNetworks: ['198.51.100.0/24'] }), limits, SSH, NOW)).toBe('changed');
    expect(whyNotAllowed(client({ sourceNetworks: ['192.0.2.0/24'] }), limits, SSH, NOW)).toBeUndefined();
    expect(whyNotAllowed(client({ oneShot: true }), limits, SSH, NOW)).toBe('changed');
    expect(whyNotAllowed(client({ oneShot: true }), limits, { ...SSH, once: true }, NOW)).toBeUndefined();
  });

  it('an expired client is refused before anything else is looked at', () => {
    const gone = client({ expiresAtMs: NOW - 1, services: ['dns'] });
    expect(whyNotAllowed(gone, limits, SSH, NOW)).toBe('expired');
  });
});
