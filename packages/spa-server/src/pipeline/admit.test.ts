/** The per-client limits and the replay store's bounds on the real pipeline: the bucket after mac2, the store after the signature, before any state; one client's flood never costs another client its knock. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeClient } from '../../test/fixtures.js';
import { cleanupRigs, type Rig, rig, SRC, T0 } from '../../test/pipeline-rig.js';
import { HEADER_SIZE, RECORD_SIZE, STATE_FILE } from '../replay/replay-file.js';

/** Rate limits far above what these tests send: only the replay store can refuse. */
const NO_RATE_LIMIT = {
  perSourceRate: 1e5,
  perSourceBurst: 1e5,
  maxSources: 10,
  perClientRate: 1e5,
  perClientBurst: 1e5,
};

afterAll(cleanupRigs);

const dns = { access: [{ type: 'service' as const, name: 'dns' }] };
const accepted = (r: Rig, client: string) =>
  r.log.events('knock.accepted').filter((e) => e.client === client).length;
const stateFileSize = (r: Rig) => statSync(join(r.fx.config.stateDir, STATE_FILE)).size;
/** A passive observer resending captured datagrams from its own address. */
const COPIER = '203.0.113.99';
/** Where each grant the firewall was asked for opens. */
const grantedAddresses = (r: Rig) =>
  r.driver.calls.filter((c) => c.op === 'grant').flatMap((c) => c.grants.map((g) => g.address));

describe('time window', () => {
  it('takes a timestamp up to futureWindow ahead of the clock, and refuses one beyond it as stale', async () => {
    const r = await rig({ futureWindowSeconds: 5 });
    await r.feed(r.fx.knock({}, { now: T0 + 5000 }), r.fx.knock({}, { now: T0 + 5001 }));
    await r.feed(r.fx.knock({}, { now: T0 + 30_000 }));
    // The past side is the whole timestampWindow.
    r.clock.now = T0 + 120_000;
    await r.feed(r.fx.knock({}, { now: T0 + 60_000 }), r.fx.knock({}, { now: T0 + 59_999 }));
    expect(r.reasons()).toEqual(['stale', 'stale', 'stale']);
    expect(accepted(r, 'alice')).toBe(2);
    expect(r.backend.calls.ed25519Verify).toBe(2); // a stale knock costs no signature check (§7 12)
  });
});

describe('per-client limits', () => {
  it('rate-limits a client after its burst; other clients keep their own budget; time refills it', async () => {
    const r = await rig();
    const { perClientBurst } = r.fx.config.rateLimit;
    const [alice, bob] = r.fx.clients;
    await r.feed(
      ...Array.from({ length: perClientBurst + 5 }, () => r.fx.knock({}, { client: alice, now: T0 })),
    );
    expect(accepted(r, 'alice')).toBe(perClientBurst);
    expect(r.reasons()).toEqual(Array(5).fill('client-rate-limited'));
    expect(r.metrics.snapshot().refused['client-rate-limited']).toBe(5);
    // Counted after mac2, before unsealing: the refused ones cost no public-key work.
    expect(r.backend.calls.ed25519Verify).toBe(perClientBurst);
    // Nothing written for the refused ones: neither the replay store nor the firewall.
    expect(r.replay.size).toBe(perClientBurst);
    await r.replay.written(); // appended in the background, after the grants
    expect(stateFileSize(r)).toBe(HEADER_SIZE + perClientBurst * RECORD_SIZE);
    expect(r.driver.calls.filter((c) => c.op === 'grant')).toHaveLength(perClientBurst);

    await r.feed(r.fx.knock(dns, { client: bob, now: T0 }));
    expect(accepted(r, 'bob')).toBe(1);
    r.clock.now = T0 + 1000; // perClientRate 1/s
    await r.feed(
      r.fx.knock({}, { client: alice, now: r.clock.now }),
      r.fx.knock({}, { client: alice, now: r.clock.now }),
    );
    expect(accepted(r, 'alice')).toBe(perClientBurst + 1);
  });

  it("a spoofer cannot spend a client's budget: forged knocks under its key id are refused at the tag", async () => {
    const r = await rig();
    const [alice] = r.fx.clients;
    const mallory = makeClient('mallory');
    // alice's public key and key id, mallory's secret: the tag comes from mallory's static secret with
    // the server, which is no configured client's, so §7 5 refuses it before any other work.
    const forged = { ...alice!, secretKey: mallory.secretKey };
    await r.feed(...Array.from({ length: 50 }, () => r.fx.knock({}, { client: forged, now: T0 })));
    expect(new Set(r.reasons())).toEqual(new Set(['unknown-client']));
    expect(r.backend.calls.hmacSha256 ?? 0).toBe(0);
    await r.feed(r.fx.knock({}, { client: alice, now: T0 }));
    expect(accepted(r, 'alice')).toBe(1);
  });

  it('caps the live replay entries of one client (client-replay-full), not of the others', async () => {
    const r = await rig({
      rateLimit: NO_RATE_LIMIT,
      replay: { capacity: 100, perClient: 3 },
    });
    const [alice, bob] = r.fx.clients;
    await r.feed(...Array.from({ length: 6 }, () => r.fx.knock({}, { client: alice, now: T0 + 4000 })));
    expect(accepted(r, 'alice')).toBe(3);
    expect(r.reasons()).toEqual(Array(3).fill('client-replay-full'));
    await r.feed(r.fx.knock(dns, { client: bob, now: T0 }));
    expect(accepted(r, 'bob')).toBe(1);
    expect(r.replay.floorMs).toBeLessThan(T0);
  });

  it('remembers a knock the store refused: a copy is a replay with no signature check, and never opens for the copier', async () => {
    const r = await rig({ rateLimit: NO_RATE_LIMIT, replay: { capacity: 100, perClient: 1 } });
    // Source mode (no signed address): an accepted copy would open the address it came from.
    await r.feed(r.fx.knock({ addresses: [] }, { now: T0 }));
    r.clock.now = T0 + 50_000; // the next minute (T0 is 20 s into its own)
    const refused = r.fx.knock({ addresses: [] }, { now: r.clock.now });
    await r.feed(refused);
    expect(r.reasons()).toEqual(['client-replay-full']);
    const verified = r.backend.calls.ed25519Verify;
    await r.feedFrom(COPIER, refused);
    expect(r.reasons()).toEqual(['client-replay-full', 'replay']);
    expect(r.backend.calls.ed25519Verify).toBe(verified);
    // The first knock's minute has left the window, so alice's share has room again; the refused
    // knock is still inside the window, and its copy still a replay.
    r.clock.now = T0 + 101_000;
    await r.feedFrom(COPIER, refused);
    expect(r.reasons()).toEqual(['client-replay-full', 'replay', 'replay']);
    expect(grantedAddresses(r)).toEqual([SRC]);
    await r.feed(r.fx.knock({ addresses: [] }, { now: r.clock.now }));
    expect(accepted(r, 'alice')).toBe(2);
  });

  it('refuses a knock when the store is full of live entries (replay-full), and never makes other knocks stale', async () => {
    const r = await rig({
      rateLimit: NO_RATE_LIMIT,
      replay: { capacity: 4, perClient: 3 },
    });
    const [alice, bob] = r.fx.clients;
    await r.feed(
      ...Array.from({ length: 3 }, (_, i) => r.fx.knock({}, { client: alice, now: T0 + 4000 + i })),
    );
    await r.feed(r.fx.knock(dns, { client: bob, now: T0 }));
    await r.feed(r.fx.knock(dns, { client: bob, now: T0 + 1 }));
    expect(r.reasons()).toEqual(['replay-full']);
    expect(r.metrics.snapshot().refused['replay-full']).toBe(1);
    // Once the minute of alice's entries has left the window they make room: bob is accepted. (T0 is
    // 20 s into its minute, so that minute ends at T0 + 40 s.)
    r.clock.now = T0 + 40_000 + 60_000;
    await r.feed(r.fx.knock(dns, { client: bob, now: r.clock.now }));
    expect(accepted(r, 'bob')).toBe(2);
  });
});

describe('knocks dropped before authentication', () => {
  it('a copy of a knock the client bucket dropped is a replay once the bucket has refilled', async () => {
    const r = await rig({ rateLimit: { ...NO_RATE_LIMIT, perClientRate: 0.1, perClientBurst: 1 } });
    await r.feed(r.fx.knock({ addresses: [] }, { now: T0 }));
    r.clock.now = T0 + 1000;
    const dropped = r.fx.knock({ addresses: [] }, { now: r.clock.now });
    await r.feed(dropped);
    r.clock.now = T0 + 30_000; // the bucket has a token again; the knock is still inside the window
    await r.feedFrom(COPIER, dropped);
    expect(r.reasons()).toEqual(['client-rate-limited', 'replay']);
    expect(grantedAddresses(r)).toEqual([SRC]);
    // The copy spent a token of alice's (it was checked before it was refused); her own next knock,
    // a new nonce, is taken once the bucket has refilled.
    r.clock.now = T0 + 40_000;
    await r.feed(r.fx.knock({ addresses: [] }, { now: r.clock.now }));
    expect(accepted(r, 'alice')).toBe(2);
  });

  it('so is a copy of a knock the source bucket or the full queue dropped', async () => {
    const r = await rig({
      rateLimit: { ...NO_RATE_LIMIT, perSourceRate: 0.1, perSourceBurst: 1 },
      queueSize: 2,
    });
    await r.feed(r.fx.knock({ addresses: [] }, { now: T0 }));
    const bySource = r.fx.knock({ addresses: [] }, { now: T0 });
    await r.feed(bySource);
    // alice may hold half the queue: of two knocks received together, the second is dropped.
    const first = r.fx.knock({ addresses: [] }, { now: T0 });
    const byQueue = r.fx.knock({ addresses: [] }, { now: T0 });
    r.pipeline.receive(first, '198.51.100.8', 1);
    r.pipeline.receive(byQueue, '198.51.100.9', 1);
    await r.pipeline.idle();
    expect(r.reasons()).toEqual(['rate-limited', 'queue-full']);
    await r.feedFrom(COPIER, bySource);
    r.clock.now = T0 + 10_000; // the copier's own source bucket refills
    await r.feedFrom(COPIER, byQueue);
    expect(r.reasons()).toEqual(['rate-limited', 'queue-full', 'replay', 'replay']);
    expect(grantedAddresses(r)).toEqual([SRC, '198.51.100.8']);
  });

  it('a dropped knock with a signed address is not remembered: sent again, even from elsewhere, it opens what it signs', async () => {
    // Whoever sees a knock first could otherwise get it refused: a copy sent ahead of it from a
    // source it has flooded would be dropped, and the knock itself then taken for a replay.
    const r = await rig({ rateLimit: { ...NO_RATE_LIMIT, perSourceRate: 0.1, perSourceBurst: 1 } });
    await r.feedFrom(COPIER, r.fx.knock({ addresses: [SRC] }, { now: T0 })); // spends the copier's token
    const knock = r.fx.knock({ addresses: [SRC] }, { now: T0 });
    await r.feedFrom(COPIER, knock);
    expect(r.reasons()).toEqual(['rate-limited']);
    await r.feed(knock);
    expect(r.reasons()).toEqual(['rate-limited']);
    expect(grantedAddresses(r)).toEqual([SRC, SRC]);
  });

  it("one key's flood of dropped knocks never gets a fresh knock refused, its own or another client's", async () => {
    const r = await rig({ rateLimit: { ...NO_RATE_LIMIT, perClientRate: 1, perClientBurst: 1 } });
    const [alice, bob] = r.fx.clients;
    const bobSource = { ...dns, addresses: [] };
    await r.feed(r.fx.knock(bobSource, { client: bob, now: T0 }));
    const bobDropped = r.fx.knock(bobSource, { client: bob, now: T0 });
    await r.feed(bobDropped);
    // Far more than alice's share of the memory (DROPPED_PER_CLIENT), all dropped by her bucket.
    await r.feed(...Array.from({ length: 301 }, () => r.fx.knock({}, { client: alice, now: T0 })));
    expect(accepted(r, 'alice')).toBe(1);
    r.clock.now = T0 + 1000;
    await r.feed(r.fx.knock({}, { client: alice, now: r.clock.now }));
    await r.feed(r.fx.knock(dns, { client: bob, now: r.clock.now }));
    expect(accepted(r, 'alice')).toBe(2);
    expect(accepted(r, 'bob')).toBe(2);
    // bob's dropped knock is still remembered: alice's flood pushed out only her own entries.
    r.clock.now = T0 + 2000;
    await r.feedFrom(COPIER, bobDropped);
    expect(r.reasons().at(-1)).toBe('replay');
    expect(accepted(r, 'bob')).toBe(2);
  });
});
