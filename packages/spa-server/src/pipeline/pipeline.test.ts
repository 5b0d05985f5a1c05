/** The whole packet path with real stages and a fake firewall: order of checks, what reaches which stage, what is written. */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { makeClient, makeFixture, SERVICES } from '../../test/fixtures.js';
import { cleanupRigs, type Rig, rig, SRC, T0 } from '../../test/pipeline-rig.js';
import { readmeFail2banFilter } from '../../test/readme-fail2ban.js';
import { commitKnock } from './commit.js';

afterAll(cleanupRigs);

describe('packet pipeline', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });

  it('grants a valid knock for the packet source, after the replay record, and logs it', async () => {
    await r.feed(r.fx.knock({}, { now: T0 }));
    expect(r.driver.calls).toEqual([
      {
        op: 'grant',
        grants: [
          {
            family: 4,
            address: SRC,
            protocol: 'tcp',
            port: 22,
            timeoutSeconds: 30,
            client: `alice:${r.fx.clients[0]!.resolved.keyIdHex.slice(0, 12)}`,
          },
        ],
      },
    ]);
    expect(r.replay.size).toBe(1);
    const [line] = r.log.events('knock.accepted');
    expect(line).toEqual({
      ts: new Date(T0).toISOString(),
      level: 'info',
      event: 'knock.accepted',
      src: SRC,
      srcPort: 40000,
      client: 'alice',
      services: ['ssh'],
      addresses: [SRC],
      duration: 30,
    });
    expect(r.metrics.snapshot()).toMatchObject({ received: 1, accepted: 1, grants: 1 });
  });

  it('drops bad sizes and bad MACs before any public-key work', async () => {
    const good = r.fx.knock({}, { now: T0 });
    const badMac = good.slice();
    badMac[badMac.length - 1]! ^= 1;
    const tampered = good.slice();
    tampered[100]! ^= 1; // inside the ciphertext: mac2 covers it too
    await r.feed(new Uint8Array(10), new Uint8Array(5000), Uint8Array.from([...good, 0]), badMac, tampered);
    expect(r.reasons()).toEqual(['too-short', 'too-long', 'bad-length', 'bad-mac', 'bad-mac']);
    expect(r.backend.calls.x25519 ?? 0).toBe(0);
    expect(r.backend.calls.chachaOpen ?? 0).toBe(0);
    expect(r.backend.calls.ed25519Verify ?? 0).toBe(0);
    expect(r.driver.calls).toEqual([]);
  });

  it('never lets a replay reach the signature check or the firewall, even inside one batch', async () => {
    const knock = r.fx.knock({}, { now: T0 });
    await r.feed(knock, knock, knock);
    await r.feed(knock);
    expect(r.reasons()).toEqual(['replay', 'replay', 'replay']);
    expect(r.backend.calls.ed25519Verify).toBe(1);
    expect(r.driver.calls.filter((c) => c.op === 'grant')).toHaveLength(1);
  });

  it('refuses unknown clients and stale knocks without verifying a signature', async () => {
    const stranger = makeClient('mallory');
    await r.feed(r.fx.knock({}, { client: stranger, now: T0 }));
    // All inside epochs the table holds (T0 is 20 s into its minute; the next minute is held whole),
    // outside the window.
    await r.feed(
      r.fx.knock({}, { now: T0 - 61_000 }),
      r.fx.knock({}, { now: T0 + 5_001 }),
      r.fx.knock({}, { now: T0 + 61_000 }),
    );
    // Dated in an epoch the table does not hold: its tag is unknown (§6), so it is refused at the tag.
    await r.feed(r.fx.knock({}, { now: T0 + 101_000 }));
    expect(r.reasons()).toEqual(['unknown-client', 'stale', 'stale', 'stale', 'unknown-client']);
    expect(r.backend.calls.ed25519Verify ?? 0).toBe(0);
    expect(r.log.events('knock.refused')[1]).toMatchObject({ reason: 'stale', src: SRC });
  });

  it("passes the replay store's own step-13 verdict through: below its floor is stale, unverified, unnamed", async () => {
    // The store's floor is its start time: a knock dated before it is inside the window but refused.
    await r.feed(r.fx.knock({}, { now: T0 - 10_000 }));
    expect(r.reasons()).toEqual(['stale']);
    expect(r.backend.calls.ed25519Verify ?? 0).toBe(0);
    const [line] = r.log.events('knock.refused');
    expect(line).toMatchObject({ reason: 'stale', src: SRC });
    expect(line?.client).toBeUndefined();
  });

  it('names no client before the signature verified, so a spoofed copy cannot get an address banned', async () => {
    const OTHER = '203.0.113.66';
    const knock = r.fx.knock({}, { now: T0 });
    await r.feed(knock);
    await r.feedFrom(OTHER, knock); // a captured knock replayed "from" a chosen address
    await r.feedFrom(OTHER, r.fx.knock({}, { now: T0 - 61_000 })); // a stale copy
    await r.feedFrom(OTHER, r.fx.knock({}, { client: makeClient('mallory'), now: T0 }));
    const bob = r.fx.clients[1]!;
    // Signed by bob for the address it came from: policy-service, and bob's key vouches for OTHER.
    await r.feedFrom(OTHER, r.fx.knock({ addresses: [OTHER] }, { client: bob, now: T0 }));
    // Signed by bob for another address, and relayed from OTHER first: names bob, but not OTHER's doing.
    await r.feedFrom(OTHER, r.fx.knock({ addresses: [SRC] }, { client: bob, now: T0 }));
    const refused = r.log.events('knock.refused');
    expect(refused.map((e) => [e.reason, e.client, e.srcSigned])).toEqual([
      ['replay', undefined, undefined],
      ['stale', undefined, undefined],
      ['unknown-client', undefined, undefined],
      ['policy-service', 'bob', true],
      ['policy-service', 'bob', false],
    ]);
    const banned = readmeFail2banFilter();
    expect(refused.map((e) => banned(JSON.stringify(e)))).toEqual([
      undefined,
      undefined,
      undefined,
      OTHER,
      undefined,
    ]);
  });

  it('refuses a knock for another server at the client tag: nothing else is spent on it', async () => {
    const other = makeFixture();
    cleanupRigs.track(other.config.stateDir);
    await r.feed(other.knock({}, { now: T0 }));
    expect(r.reasons()).toEqual(['unknown-client']);
    expect(r.backend.calls.hmacSha256 ?? 0).toBe(0); // not even mac2
  });

  it('a policy refusal opens nothing, but the authenticated knock spends its nonce', async () => {
    const bob = r.fx.clients[1]!;
    await r.feed(r.fx.knock({}, { client: bob, now: T0 }));
    expect(r.reasons()).toEqual(['policy-service']);
    expect(r.backend.calls.ed25519Verify).toBe(1); // authenticated first (§7 order)
    expect(r.replay.size).toBe(1); // a copy of it is a replay, naming no client
    expect(r.driver.calls).toEqual([]);
  });

  it('opens signed addresses × service ports in one driver call', async () => {
    await r.feed(
      r.fx.knock(
        {
          access: [{ type: 'service', name: 'web' }],
          addresses: ['203.0.113.5', '2001:db8::5'],
          durationSeconds: 100,
        },
        { now: T0 },
      ),
    );
    const call = r.driver.calls[0];
    expect(
      call?.op === 'grant' && call.grants.map((g) => `${g.address}/${g.port}/${g.timeoutSeconds}`),
    ).toEqual(['203.0.113.5/80/100', '203.0.113.5/443/100', '2001:db8::5/80/100', '2001:db8::5/443/100']);
  });

  it('a close request revokes at once; a second knock extends instead of duplicating', async () => {
    await r.feed(r.fx.knock({}, { now: T0 }));
    r.clock.now += 10_000;
    await r.feed(r.fx.knock({ durationSeconds: 60 }, { now: r.clock.now }));
    expect(r.driver.grants.size).toBe(1);
    expect([...r.grants.live()]).toHaveLength(1);
    expect([...r.driver.grants.values()][0]?.timeoutSeconds).toBe(60);
    await r.feed(r.fx.knock({ kind: 'close' }, { now: r.clock.now }));
    expect(r.driver.calls.at(-1)).toEqual({
      op: 'revoke',
      targets: [{ family: 4, address: SRC, protocol: 'tcp', port: 22 }],
    });
    expect(r.driver.grants.size).toBe(0);
    expect(r.log.events('knock.closed')).toHaveLength(1);
    expect(r.metrics.snapshot()).toMatchObject({ accepted: 2, closed: 1 });
  });

  it('a firewall failure is logged and counted as firewall-failed, never as granted, and never crashes', async () => {
    r.driver.failNext('grant');
    await r.feed(r.fx.knock({}, { now: T0 }));
    expect(r.log.events('knock.accepted')).toHaveLength(0);
    expect(r.log.events('knock.refused')).toEqual([
      expect.objectContaining({
        level: 'error',
        reason: 'firewall-failed',
        client: 'alice',
        error: 'fake grant failed',
      }),
    ]);
    expect(r.metrics.snapshot()).toMatchObject({ accepted: 0, firewallFailures: 1 });
    expect(r.metrics.snapshot().refused['firewall-failed']).toBe(1);
    // The daemon keeps working, and looked at once whether its table was deleted underneath.
    await r.feed(r.fx.knock({}, { now: T0 }));
    expect(r.log.events('knock.accepted')).toHaveLength(1);
    expect(r.driver.calls.map((c) => c.op)).toEqual(['grant', 'isIntact', 'grant']);
  });

  it('rate-limits per source after the MAC, before any public-key work', async () => {
    r = await rig({
      rateLimit: { ...r.fx.config.rateLimit, perSourceRate: 1, perSourceBurst: 2, maxSources: 10 },
    });
    const knocks = Array.from({ length: 5 }, () => r.fx.knock({}, { now: T0 }));
    await r.feed(...knocks);
    expect(r.reasons()).toEqual(['rate-limited', 'rate-limited', 'rate-limited']);
    expect(r.backend.calls.x25519).toBe(2);
    r.pipeline.receive(r.fx.knock({}, { now: T0 }), '198.51.100.8', 1); // another source has its own bucket
    await r.pipeline.idle();
    expect(r.log.events('knock.accepted')).toHaveLength(3);
  });

  it("a key holder flooding from someone else's address spends its own budget, not that address's", async () => {
    r = await rig({
      rateLimit: {
        ...r.fx.config.rateLimit,
        perSourceRate: 1,
        perSourceBurst: 3,
        perClientRate: 1,
        perClientBurst: 2,
      },
    });
    const [alice, bob] = r.fx.clients;
    const VICTIM = '198.51.100.9';
    await r.feedFrom(VICTIM, ...Array.from({ length: 6 }, () => r.fx.knock({}, { client: alice, now: T0 })));
    // Two went through on alice's budget; the rest were hers to lose, and took nothing from VICTIM.
    expect(r.reasons()).toEqual(Array(4).fill('client-rate-limited'));
    const dns = { access: [{ type: 'service' as const, name: 'dns' }] };
    await r.feedFrom(VICTIM, r.fx.knock(dns, { client: bob, now: T0 }));
    expect(r.log.events('knock.accepted').filter((e) => e.client === 'bob')).toHaveLength(1);
  });

  it('a copy of a knock refused after mac2 is refused at the pre-check, with no key exchange', async () => {
    const ahead = r.fx.knock({}, { now: T0 + 5_001 }); // in a held epoch, beyond the future window
    await r.feed(ahead);
    expect(r.reasons()).toEqual(['stale']);
    const exchanges = r.backend.calls.x25519 ?? 0;
    // Resent once the clock caught up, from anywhere: it would now be inside the window.
    r.clock.now = T0 + 1000;
    await r.feedFrom('203.0.113.66', ahead, ahead);
    expect(r.reasons()).toEqual(['stale', 'replay', 'replay']);
    expect(r.backend.calls.x25519 ?? 0).toBe(exchanges);
    expect(r.log.events('knock.accepted')).toHaveLength(0);
  });

  it('holds the next minute whole: a knock from a clock 41 s fast is remembered, and its copy never opens later', async () => {
    // Dated in the next minute (T0 is 20 s into its own), beyond the future window: source mode, so
    // an accepted copy would open the address it came from.
    const ahead = r.fx.knock({ addresses: [] }, { now: T0 + 41_000 });
    await r.feed(ahead);
    expect(r.reasons()).toEqual(['stale']);
    r.clock.now = T0 + 40_000; // now inside the window
    await r.feedFrom('203.0.113.66', ahead);
    expect(r.reasons()).toEqual(['stale', 'replay']);
    expect(r.log.events('knock.accepted')).toHaveLength(0);
  });

  it('refuses a tag whose whole minute lies below the replay floor as stale, before any budget or key exchange', async () => {
    // The store's floor is its start time (T0 − 1): a tag made for the minute before T0's is all stale.
    const before = r.fx.knock({}, { now: T0 - 30_000 });
    await r.feed(before);
    expect(r.reasons()).toEqual(['stale']);
    expect(r.backend.calls.x25519 ?? 0).toBe(0);
  });

  it('drops when the queue is full, and the receive path stays synchronous', async () => {
    r = await rig({ queueSize: 4 });
    const [alice, bob] = r.fx.clients;
    const dns = { access: [{ type: 'service' as const, name: 'dns' }] };
    const knocks = [
      ...Array.from({ length: 3 }, () => r.fx.knock({}, { client: alice, now: T0 })),
      ...Array.from({ length: 3 }, () => r.fx.knock(dns, { client: bob, now: T0 })),
    ];
    for (const k of knocks) r.pipeline.receive(k, SRC, 1);
    expect(r.backend.calls.x25519 ?? 0).toBe(0); // nothing expensive happened on receipt
    await r.pipeline.idle();
    // Each client may hold half the queue: alice's third waits for no one, bob still finds room.
    expect(r.reasons()).toEqual(['queue-full', 'queue-full']);
    expect(r.metrics.snapshot().queueDrops).toBe(2);
    expect(r.log.events('knock.accepted').map((e) => e.client)).toEqual(['alice', 'bob', 'alice', 'bob']);
  });

  it('treats an IPv4-mapped source as IPv4', async () => {
    r.pipeline.receive(r.fx.knock({}, { now: T0 }), `::ffff:${SRC}`, 1);
    await r.pipeline.idle();
    expect(r.log.events('knock.accepted')[0]).toMatchObject({ src: SRC, addresses: [SRC] });
  });

  it('survives random junk of every length without throwing or granting', async () => {
    const junk = Array.from({ length: 300 }, (_, i) => crypto.getRandomValues(new Uint8Array(i * 4)));
    // Junk with a correct header and length, so it reaches the tag lookup.
    const shaped = Array.from({ length: 50 }, () => {
      const d = crypto.getRandomValues(new Uint8Array(260));
      d.set([2, 0, 0, 0]);
      return d;
    });
    // The same with a client tag sniffed from a real knock of this epoch, so it reaches mac2.
    const sniffed = r.fx.knock({}, { now: T0 }).subarray(0, 20);
    const tagged = shaped.map((d) => {
      const copy = d.slice();
      copy.set(sniffed);
      return copy;
    });
    await r.feed(...junk, ...shaped, ...tagged);
    expect(r.driver.calls).toEqual([]);
    expect(r.log.events('pipeline.error')).toEqual([]);
    expect(r.metrics.snapshot().refused['unknown-client']).toBe(50);
    expect(r.metrics.snapshot().refused['bad-mac']).toBe(50);
    expect(r.backend.calls.x25519 ?? 0).toBe(0);
  });
});

describe('source mode and grant ownership in the pipeline', () => {
  const OTHER = '203.0.113.66';
  const from = async (r: Rig, address: string, datagram: Uint8Array): Promise<void> => {
    r.pipeline.receive(datagram, address, 40000);
    await r.pipeline.idle();
  };

  it('refuses a knock naming no address from a client without allowSourceAddress, counted', async () => {
    const r = await rig({}, [makeClient('alice', { allowSourceAddress: false })]);
    await r.feed(r.fx.knock({}, { now: T0 }));
    expect(r.reasons()).toEqual(['policy-source-mode']);
    expect(r.metrics.snapshot().refused['policy-source-mode']).toBe(1);
    expect(r.driver.grants.size).toBe(0);
    await r.feed(r.fx.knock({ addresses: [SRC] }, { now: T0 }));
    expect(r.driver.grants.size).toBe(1);
  });

  it('a copy of a source-mode knock from another address revokes the grant and its connections', async () => {
    const r = await rig();
    const knock = r.fx.knock({}, { now: T0 });
    await from(r, OTHER, knock); // the copy wins the race
    expect([...r.driver.grants.values()].map((g) => g.address)).toEqual([OTHER]);
    await from(r, SRC, knock); // the real one: a replay, from another address
    expect(r.reasons()).toEqual(['replay']);
    expect(r.driver.grants.size).toBe(0);
    expect(r.driver.calls.filter((c) => c.op === 'forgetConnections')).toEqual([
      { op: 'forgetConnections', targets: [{ family: 4, address: OTHER, protocol: 'tcp', port: 22 }] },
    ]);
    expect(r.log.events('knock.duplicate')).toEqual([
      expect.objectContaining({ src: SRC, client: 'alice', opened: OTHER }),
    ]);
    expect(r.metrics.snapshot().duplicateRevokes).toBe(1);
    // Further copies cost a replay refusal only: no signature check, no firewall call.
    const verified = r.backend.calls.ed25519Verify;
    await from(r, '192.0.2.1', knock);
    expect(r.backend.calls.ed25519Verify).toBe(verified);
    expect(r.metrics.snapshot().duplicateRevokes).toBe(1);
  });

  it('grants a range service as one element covering the whole range', async () => {
    const services = new Map([
      ...SERVICES,
      ['apps', [{ protocol: 'tcp' as const, port: 8000, lastPort: 8010 }]],
    ]);
    const r = await rig({ services }, [makeClient('alice', { services: ['apps'] })]);
    await r.feed(r.fx.knock({ access: [{ type: 'service', name: 'apps' }], addresses: [SRC] }, { now: T0 }));
    expect([...r.driver.grants.keys()]).toEqual([`4|${SRC}|tcp|8000-8010`]);
  });

  it("hands the kernel's gate the nonce of a granted knock, never of a source-mode open or a refused one", async () => {
    const r = await rig();
    const nonceOf = (d: Uint8Array) => Buffer.from(d.subarray(4, 36)).toString('hex'); // tag and nonce
    const signed = r.fx.knock({ addresses: [SRC] }, { now: T0 });
    await r.feed(signed);
    expect(r.spent).toEqual([nonceOf(signed)]);
    // A source-mode open: its copies from elsewhere must still reach the race guard.
    await r.feed(r.fx.knock({}, { now: T0 }));
    // Refused by policy (bob has no ssh): nothing was granted.
    await r.feed(r.fx.knock({ addresses: [SRC] }, { now: T0, client: r.fx.clients[1]! }));
    expect(r.driver.grants.size).toBe(1);
    expect(r.spent).toEqual([nonceOf(signed)]);
  });

  it('a copy arriving while the first copy is still being committed still ends with no grant', async () => {
    const r = await rig();
    const knock = r.fx.knock({}, { now: T0 });
    // Both before either is decided: the real knock arrives while the copy's record is being written.
    r.pipeline.receive(knock, OTHER, 40000);
    r.pipeline.receive(knock, SRC, 40000);
    await r.pipeline.idle();
    expect(r.reasons()).toEqual(['replay']);
    expect(r.driver.grants.size).toBe(0);
    expect(r.log.events('knock.duplicate')).toHaveLength(1);
  });

  it('a copy of a knock that policy refused is a replay naming no client (fail2ban cannot be steered)', async () => {
    const r = await rig();
    const bob = r.fx.clients[1]!;
    const knock = r.fx.knock({ addresses: [SRC] }, { client: bob, now: T0 }); // bob may not open ssh
    await r.feed(knock);
    await r.feedFrom(OTHER, knock);
    await r.feedFrom('192.0.2.53', knock);
    const refused = r.log.events('knock.refused');
    expect(refused.map((e) => [e.reason, e.client, e.src])).toEqual([
      ['policy-service', 'bob', SRC],
      ['replay', undefined, OTHER],
      ['replay', undefined, '192.0.2.53'],
    ]);
    const banned = readmeFail2banFilter();
    expect(refused.map((e) => banned(JSON.stringify(e)))).toEqual([SRC, undefined, undefined]);
  });

  it('an open whose key a reload removed while its record was written is refused, not granted', async () => {
    const r = await rig();
    const alice = r.fx.clients[0]!.resolved;
    const decision = {
      kind: 'open' as const,
      ports: [{ protocol: 'tcp' as const, port: 22 }],
      access: ['ssh'],
      addresses: [{ family: 4 as const, text: SRC, bytes: new Uint8Array([198, 51, 100, 7]) }],
      durationSeconds: 30,
      sourceMode: false,
    };
    const deps = {
      replay: r.replay,
      grants: r.grants,
      log: r.daemonLog,
      metrics: r.metrics,
      maxGrantsPerClient: 64,
    };
    await commitKnock(
      { ...deps, stillAllowed: () => false },
      { src: SRC, srcPort: 40000 },
      alice,
      { keyId: Buffer.from(alice.keyIdHex, 'hex'), nonce: new Uint8Array(16), timestampMs: T0 },
      decision as never,
    );
    expect(r.driver.grants.size).toBe(0);
    expect(r.log.events('knock.refused')).toEqual([
      expect.objectContaining({ reason: 'reload-revoked', client: 'alice' }),
    ]);
    await commitKnock(
      { ...deps, stillAllowed: () => true },
      { src: SRC, srcPort: 40000 },
      alice,
      { keyId: Buffer.from(alice.keyIdHex, 'hex'), nonce: new Uint8Array(16), timestampMs: T0 },
      decision as never,
    );
    expect(r.driver.grants.size).toBe(1);
  });

  it('a copy from the same address, or of a knock with signed addresses, revokes nothing', async () => {
    const r = await rig();
    const knock = r.fx.knock({}, { now: T0 });
    await from(r, SRC, knock);
    await from(r, SRC, knock);
    const signed = r.fx.knock({ addresses: [SRC] }, { now: T0 });
    await from(r, OTHER, signed);
    await from(r, SRC, signed);
    expect(r.reasons()).toEqual(['replay', 'replay']);
    expect(r.driver.grants.size).toBe(1);
    expect(r.driver.calls.filter((c) => c.op === 'forgetConnections')).toEqual([]);
  });

  it('refuses grants beyond maxGrantsPerClient, counted as client-grants-full', async () => {
    const r = await rig({ maxGrantsPerClient: 3 });
    await r.feed(r.fx.knock({ addresses: ['192.0.2.1', '192.0.2.2'] }, { now: T0 }));
    await r.feed(r.fx.knock({ addresses: ['192.0.2.1', '192.0.2.3'] }, { now: T0 })); // one new: 3
    await r.feed(r.fx.knock({ addresses: ['192.0.2.4'] }, { now: T0 }));
    expect(r.reasons()).toEqual(['client-grants-full']);
    expect(r.metrics.snapshot().refused['client-grants-full']).toBe(1);
    expect(r.driver.grants.size).toBe(3);
    // Another client is not affected by alice's count.
    const bob = r.fx.clients[1]!;
    await r.feed(
      r.fx.knock(
        { access: [{ type: 'service', name: 'dns' }], addresses: ['192.0.2.4'] },
        { client: bob, now: T0 },
      ),
    );
    expect(r.driver.grants.size).toBe(4);
  });
});
