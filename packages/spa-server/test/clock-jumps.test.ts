/** The daemon on real UDP sockets with an injected wall clock that jumps forward and back: replays stay refused, the window stays enforced. */
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { startDaemon } from '../src/daemon/daemon.js';
import type { Daemon } from '../src/daemon/daemon-api.js';
import { type CaptureLog, captureLog } from './capture-log.js';
import { useDaemonHooks } from './daemon-hooks.js';
import { createFakeDriver } from './fake-driver.js';
import { makeFixture } from './fixtures.js';

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;
const WINDOW = 60_000;

const { dirs, running } = useDaemonHooks();

/** Sends one datagram and returns the reason it was refused for, or 'accepted'. */
async function decide(daemon: Daemon, log: CaptureLog, datagram: Uint8Array): Promise<string> {
  const before = log.entries.length;
  const to = daemon.addresses[0]!;
  const socket = createSocket('udp4');
  const received = daemon.metrics().received;
  await new Promise<void>((r) => socket.send(datagram, to.port, to.address, () => r()));
  while (daemon.metrics().received === received) await new Promise((r) => setTimeout(r, 2));
  await daemon.idle();
  socket.close();
  const line = log.entries
    .slice(before)
    .find((e) => e.event === 'knock.accepted' || e.event === 'knock.refused');
  return line?.event === 'knock.accepted' ? 'accepted' : String(line?.reason);
}

describe('clock jumps while running', () => {
  it('forward then back: an accepted knock is never accepted again, and the window follows the clock', async () => {
    const fx = makeFixture({
      timestampWindowSeconds: WINDOW / 1000,
      log: { level: 'debug', refusalsPerSecond: 1e6 },
    });
    dirs.push(fx.config.stateDir);
    const clock = { now: T0 };
    const log = captureLog();
    const driver = createFakeDriver();
    // Replay maintenance every 10 ms, so pruning runs right after each jump, as it would eventually.
    const daemon = await startDaemon(fx.config, {
      driver,
      log,
      clock: () => clock.now,
      intervals: { replayMs: 10 },
    });
    running.push(daemon);
    const settle = () => new Promise((r) => setTimeout(r, 50));

    const early = fx.knock({}, { now: T0 });
    expect(await decide(daemon, log, early)).toBe('accepted');
    expect(await decide(daemon, log, early)).toBe('replay');

    // Forward two hours (an NTP step, a VM resumed): the early knock falls out of the window and is pruned.
    clock.now = T0 + 2 * HOUR;
    await settle();
    // Two hours away, a knock's client tag belongs to no epoch the server holds (§6): unknown-client,
    // refused before any public-key work.
    expect(await decide(daemon, log, early)).toBe('unknown-client');
    expect(await decide(daemon, log, fx.knock({}, { now: T0 + 1000 }))).toBe('unknown-client'); // a client still at T0
    const late = fx.knock({}, { now: clock.now });
    expect(await decide(daemon, log, late)).toBe('accepted');

    // Back to just after T0: the early knock is inside the window again, but the store's floor still
    // refuses it; the late one is refused by the window; fresh knocks at this time work.
    clock.now = T0 + 5000;
    await settle();
    expect(await decide(daemon, log, early)).toBe('stale');
    expect(await decide(daemon, log, late)).toBe('unknown-client');
    // A minute ahead: the next epoch's tags are held the whole minute, so the window refuses it.
    expect(await decide(daemon, log, fx.knock({}, { now: clock.now + WINDOW + 1 }))).toBe('stale');
    expect(await decide(daemon, log, fx.knock({}, { now: clock.now + 2 * WINDOW + 1 }))).toBe(
      'unknown-client',
    );
    const fresh = fx.knock({}, { now: clock.now });
    expect(await decide(daemon, log, fresh)).toBe('accepted');
    expect(await decide(daemon, log, fresh)).toBe('replay');

    // Forward again past the late knock's time: it is inside the window once more and still a replay.
    clock.now = T0 + 2 * HOUR + 10_000;
    await settle();
    expect(await decide(daemon, log, late)).toBe('replay');
    expect(driver.calls.filter((c) => c.op === 'grant')).toHaveLength(3);
  });

  it('a restart after the clock went back keeps refusing what was accepted before', async () => {
    const fx = makeFixture();
    dirs.push(fx.config.stateDir);
    const clock = { now: T0 + 2 * HOUR };
    const first = captureLog();
    const a = await startDaemon(fx.config, {
      driver: createFakeDriver(),
      log: first,
      clock: () => clock.now,
    });
    const late = fx.knock({}, { now: clock.now });
    expect(await decide(a, first, late)).toBe('accepted');
    await a.stop();

    clock.now = T0; // the machine comes back with its clock two hours behind
    const second = captureLog();
    const b = await startDaemon(fx.config, {
      driver: createFakeDriver(),
      log: second,
      clock: () => clock.now,
    });
    running.push(b);
    expect(await decide(b, second, late)).toBe('unknown-client'); // its tag's epoch is not held at this clock
    clock.now = T0 + 2 * HOUR + 1000; // and once the clock is right again, still a replay
    expect(await decide(b, second, late)).toBe('replay');
  });
});
