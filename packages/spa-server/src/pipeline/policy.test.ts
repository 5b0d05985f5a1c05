/** Policy: which services, ports, addresses and durations an authenticated client gets. */
import { type AccessItem, parseAddress, type SignedKnock } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { makeClient, SERVICES } from '../../test/fixtures.js';
import type { ResolvedClient } from '../config/resolved-config.js';
import { applyPolicy, type PolicyLimits } from './policy.js';

const NOW = 1_700_000_000_000;
const limits: PolicyLimits = { services: SERVICES, defaultDurationSeconds: 30, maxDurationSeconds: 600 };
const src = parseAddress('198.51.100.7')!;

function knock(over: Partial<SignedKnock> = {}): SignedKnock {
  return {
    kind: 'open',
    access: [{ type: 'service', name: 'ssh' }],
    addresses: [],
    durationSeconds: 0,
    version: 1,
    serverKey: new Uint8Array(32),
    keyId: new Uint8Array(16),
    timestampMs: NOW,
    nonce: new Uint8Array(16),
    ...over,
  };
}

function client(over: Partial<ResolvedClient> = {}): ResolvedClient {
  return makeClient('alice', over).resolved;
}

const decide = (k: SignedKnock, c: ResolvedClient = client(), source = src) =>
  applyPolicy(k, c, source, limits, NOW);

describe('policy', () => {
  it('opens the ports of a named service for the packet source, for the default duration', () => {
    const r = decide(knock());
    expect(r).toEqual({
      ok: true,
      decision: {
        kind: 'open',
        ports: [{ protocol: 'tcp', port: 22 }],
        access: ['ssh'],
        addresses: [src],
        durationSeconds: 30,
        sourceMode: true,
      },
    });
  });

  it('expands multi-port services and deduplicates ports', () => {
    const access: AccessItem[] = [
      { type: 'service', name: 'web' },
      { type: 'tcp', port: 443 },
    ];
    const r = decide(knock({ access }));
    expect(r.ok && r.decision.ports).toEqual([
      { protocol: 'tcp', port: 80 },
      { protocol: 'tcp', port: 443 },
    ]);
  });

  it('refuses a service the client may not use, or one that does not exist', () => {
    expect(decide(knock({ access: [{ type: 'service', name: 'dns' }] }))).toEqual({
      ok: false,
      reason: 'policy-service',
    });
    expect(decide(knock({ access: [{ type: 'service', name: 'nope' }] }))).toMatchObject({
      reason: 'policy-service',
    });
    // One bad item spoils the request: nothing is partially granted.
    expect(
      decide(
        knock({
          access: [
            { type: 'service', name: 'ssh' },
            { type: 'service', name: 'dns' },
          ],
        }),
      ),
    ).toMatchObject({ reason: 'policy-service' });
  });

  it('allows an explicit port only when it belongs to one of the client’s services, with the same protocol', () => {
    expect(decide(knock({ access: [{ type: 'tcp', port: 22 }] })).ok).toBe(true);
    expect(decide(knock({ access: [{ type: 'tcp', port: 23 }] }))).toMatchObject({
      reason: 'policy-service',
    });
    expect(decide(knock({ access: [{ type: 'udp', port: 22 }] }))).toMatchObject({
      reason: 'policy-service',
    });
    expect(decide(knock({ access: [{ type: 'udp', port: 53 }] }))).toMatchObject({
      reason: 'policy-service',
    });
  });

  it('opens a range service whole, and a port asked for inside a range alone', () => {
    const ranges: PolicyLimits = {
      ...limits,
      services: new Map([
        ['ssh', [{ protocol: 'tcp', port: 22 }]],
        ['apps', [{ protocol: 'tcp', port: 8000, lastPort: 8010 }]],
      ]),
    };
    const withApps = client({ services: ['ssh', 'apps'] });
    const ask = (access: AccessItem[], c = withApps) => applyPolicy(knock({ access }), c, src, ranges, NOW);
    const whole = ask([{ type: 'service', name: 'apps' }]);
    expect(whole.ok && whole.decision.ports).toEqual([{ protocol: 'tcp', port: 8000, lastPort: 8010 }]);
    for (const port of [8000, 8005, 8010]) {
      const one = ask([{ type: 'tcp', port }]);
      expect(one.ok && one.decision.ports).toEqual([{ protocol: 'tcp', port }]);
    }
    for (const item of [
      { type: 'tcp', port: 7999 },
      { type: 'tcp', port: 8011 },
      { type: 'udp', port: 8005 },
    ] as const) {
      expect(ask([item])).toMatchObject({ reason: 'policy-service' });
    }
    // Inside a range the client may not use: refused like any other port.
    expect(ask([{ type: 'tcp', port: 8005 }], client({ services: ['ssh'] }))).toMatchObject({
      reason: 'policy-service',
    });
  });

  it('caps the duration at min(client max, server max) instead of refusing', () => {
    const c = client({ maxDurationSeconds: 120 });
    const d = (durationSeconds: number, cl = c) => {
      const r = decide(knock({ durationSeconds }), cl);
      return r.ok ? r.decision.durationSeconds : r.reason;
    };
    expect(d(60)).toBe(60);
    expect(d(120)).toBe(120);
    expect(d(121)).toBe(120);
    expect(d(4_000_000)).toBe(120);
    expect(d(0)).toBe(30);
    expect(d(0, client({ maxDurationSeconds: 10 }))).toBe(10); // the default is capped too
    expect(d(5000, client({ maxDurationSeconds: 10_000 }))).toBe(600); // server max
    expect(d(0, client({ maxDurationSeconds: 0 }))).toBe('policy-duration');
  });

  it('refuses a packet from outside the client’s source networks', () => {
    const c = client({ sourceNetworks: ['198.51.100.0/24', '2001:db8::/32'] });
    expect(decide(knock(), c).ok).toBe(true);
    expect(decide(knock(), c, parseAddress('2001:db8::5')!).ok).toBe(true);
    expect(decide(knock(), c, parseAddress('203.0.113.1')!)).toEqual({ ok: false, reason: 'policy-source' });
    expect(decide(knock(), c, parseAddress('2001:db9::5')!)).toMatchObject({ reason: 'policy-source' });
  });

  it('refuses an expired key from its expiry instant on', () => {
    expect(decide(knock(), client({ expiresAtMs: NOW }))).toEqual({ ok: false, reason: 'policy-expired' });
    expect(decide(knock({ kind: 'close' }), client({ expiresAtMs: NOW + 1 })).ok).toBe(true);
  });

  it('ends a grant no later than the key expires: the duration is capped to the whole seconds left', () => {
    const d = (durationSeconds: number, expiresAtMs: number) => {
      const r = decide(knock({ durationSeconds }), client({ maxDurationSeconds: 300, expiresAtMs }));
      return r.ok ? r.decision.durationSeconds : r.reason;
    };
    // A knock a second before the expiry gets that second, not the 300 asked for.
    expect(d(300, NOW + 1000)).toBe(1);
    expect(d(300, NOW + 1999)).toBe(1); // rounded down: the grant never outlasts the key
    expect(d(300, NOW + 90_500)).toBe(90);
    expect(d(0, NOW + 10_000)).toBe(10); // the default is capped too
    // Far from the expiry, the usual bounds apply.
    expect(d(60, NOW + 86_400_000)).toBe(60);
    expect(d(4000, NOW + 86_400_000)).toBe(300);
  });

  it('refuses an open with less than a second left before the key expires, as an expired key', () => {
    for (const left of [1, 500, 999]) {
      expect(decide(knock({ durationSeconds: 60 }), client({ expiresAtMs: NOW + left }))).toEqual({
        ok: false,
        reason: 'policy-expired',
      });
    }
    // A close asks for no time: until the expiry it may still end what the key opened.
    expect(decide(knock({ kind: 'close' }), client({ expiresAtMs: NOW + 500 })).ok).toBe(true);
  });

  it('opens the signed addresses instead of the source, and requires them unless allowSourceAddress', () => {
    const r = decide(knock({ addresses: ['203.0.113.9', '2001:db8::9', '203.0.113.9'] }));
    expect(r.ok && r.decision.addresses.map((a) => a.text)).toEqual(['203.0.113.9', '2001:db8::9']);
    expect(r.ok && r.decision.sourceMode).toBe(false);
    const strict = client({ allowSourceAddress: false });
    expect(decide(knock(), strict)).toEqual({ ok: false, reason: 'policy-source-mode' });
    expect(decide(knock({ kind: 'close' }), strict)).toEqual({ ok: false, reason: 'policy-source-mode' });
    expect(decide(knock({ addresses: ['203.0.113.9'] }), strict).ok).toBe(true);
  });

  it('bounds every granted address, signed or source, by sourceNetworks', () => {
    const c = client({ sourceNetworks: ['198.51.100.0/24'] });
    // Sent from inside the network, but signed for an address outside it: refused.
    expect(decide(knock({ addresses: ['203.0.113.9'] }), c)).toEqual({
      ok: false,
      reason: 'policy-addresses',
    });
    expect(decide(knock({ addresses: ['198.51.100.9', '203.0.113.9'] }), c)).toMatchObject({
      reason: 'policy-addresses',
    });
    expect(decide(knock({ addresses: ['198.51.100.9'] }), c).ok).toBe(true);
    expect(decide(knock(), c).ok).toBe(true);
  });

  it('never opens for an unspecified, multicast or unparsable address', () => {
    expect(decide(knock(), client(), parseAddress('0.0.0.0')!)).toMatchObject({ reason: 'policy-addresses' });
    expect(decide(knock(), client(), parseAddress('::')!)).toMatchObject({ reason: 'policy-addresses' });
    expect(decide(knock({ addresses: ['224.0.0.1'] }))).toMatchObject({ reason: 'policy-addresses' });
    expect(decide(knock({ addresses: ['not-an-ip'] }))).toMatchObject({ reason: 'policy-addresses' });
  });

  it('applies the same checks to close requests, with no duration', () => {
    const r = decide(knock({ kind: 'close' }));
    expect(r.ok && r.decision).toMatchObject({ kind: 'close', durationSeconds: 0 });
    expect(decide(knock({ kind: 'close', access: [{ type: 'service', name: 'dns' }] }))).toMatchObject({
      reason: 'policy-service',
    });
    expect(decide(knock({ kind: 'close' }), client({ expiresAtMs: NOW - 1 }))).toMatchObject({
      reason: 'policy-expired',
    });
  });
});
