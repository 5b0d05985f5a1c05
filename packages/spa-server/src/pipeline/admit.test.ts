/** The per-client limits and the replay store's bounds on the real pipeline: the bucket after mac2, the store after the signature, before any state; one client's flood never costs another client its knock. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeClient } from '../../test/fixtures.js';
import { cleanupRigs, type Rig, rig, T0 } from '../../test/pipeline-rig.js';
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
