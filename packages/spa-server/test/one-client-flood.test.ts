/** The daemon over real UDP sockets, injected clock, small replay store: one client hammering valid knocks cannot get another client's knock refused. */
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../src/config/resolved-config.js';
import { startDaemon } from '../src/daemon/daemon.js';
import type { Daemon } from '../src/daemon/daemon-api.js';
import { captureLog } from './capture-log.js';
import { useDaemonHooks } from './daemon-hooks.js';
import { createFakeDriver } from './fake-driver.js';
import { makeFixture } from './fixtures.js';

const T0 = 1_800_000_000_000;
const FLOOD = 200;
// Building and checking a few hundred signed knocks takes seconds on a busy machine.
const TIMEOUT_MS = 30_000;

const { dirs, running } = useDaemonHooks();

async function send(daemon: Daemon, datagrams: readonly Uint8Array[]): Promise<void> {
  const to = daemon.addresses[0]!;
  const before = daemon.metrics().received;
  const socket = createSocket('udp4');
  for (const d of datagrams) await new Promise<void>((r) => socket.send(d, to.port, to.address, () => r()));
  const deadline = Date.now() + 10_000;
  while (daemon.metrics().received < before + datagrams.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  socket.close();
  await daemon.idle();
}

const limits: [string, Partial<ResolvedConfig>][] = [
  ['the default per-client rate', {}],
  [
    'no per-client rate to speak of, only the cap on its live replay entries',
    {
      rateLimit: {
        perSourceRate: 1e5,
        perSourceBurst: 1e5,
        maxSources: 1000,
        perClientRate: 1e5,
        perClientBurst: 1e5,
      },
    },
  ],
];

describe('one client flooding valid knocks', () => {
  it.each(limits)(
    'cannot get another client its knock refused, with %s',
    async (_name, over) => {
      const fx = makeFixture({ replay: { capacity: 64, perClient: 16 }, queueSize: 1000, ...over });
      dirs.push(fx.config.stateDir);
      const [alice, bob] = fx.clients;
      const log = captureLog();
      const driver = createFakeDriver();
      const daemon = await startDaemon(fx.config, { driver, log, clock: () => T0 });
      running.push(daemon);

      // Every knock valid and signed by alice's key; most dated ahead of the server's clock (inside the
      // future window, the rest far beyond it), which is what once pushed the store's floor past "now".
      const flood = Array.from({ length: FLOOD }, (_, i) =>
        fx.knock({}, { client: alice, now: i % 4 === 3 ? T0 + 59_000 : T0 + 1 + ((i * 13) % 4999) }),
      );
      await send(daemon, flood);

      // bob's knock, dated at the server's clock, after the flood: accepted.
      await send(daemon, [
        fx.knock({ access: [{ type: 'service', name: 'dns' }] }, { client: bob, now: T0 }),
      ]);
      expect(log.events('knock.refused').filter((e) => e.client === 'bob')).toEqual([]);
      expect(log.events('knock.accepted').filter((e) => e.client === 'bob')).toHaveLength(1);
      expect([...driver.grants.values()].some((g) => g.client.startsWith('bob:'))).toBe(true);

      // alice got some through, within her own limits.
      const aliceAccepted = daemon.metrics().accepted - 1;
      expect(aliceAccepted).toBeGreaterThan(0);
      expect(aliceAccepted).toBeLessThanOrEqual(16);
      const refused = daemon.metrics().refused;
      expect(refused['replay-full']).toBe(0);
      // The per-client bucket comes before unsealing (§7, after step 7), so it also takes some of the
      // ones that would be stale; every refusal is alice's own budget, the window, or her replay share.
      expect(refused.stale).toBeLessThanOrEqual(FLOOD / 4);
      expect(refused.stale + refused['client-rate-limited'] + refused['client-replay-full']).toBe(
        FLOOD - aliceAccepted,
      );
    },
    TIMEOUT_MS,
  );
});
