/** The daemon over real UDP sockets with a fake firewall: lifecycle, reload, restart, silence, metrics, errors. */
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/capture-log.js';
import { useDaemonHooks } from '../../test/daemon-hooks.js';
import { createFakeDriver, type FakeDriver } from '../../test/fake-driver.js';
import { type Fixture, makeClient, makeFixture } from '../../test/fixtures.js';
import type { ResolvedClient, ResolvedConfig } from '../config/resolved-config.js';
import { ServerError } from '../shared/server-error.js';
import { startDaemon } from './daemon.js';
import type { Daemon, DaemonDeps } from './daemon-api.js';

const { dirs, running } = useDaemonHooks();

async function start(fx: Fixture, deps: Partial<DaemonDeps> = {}, config: ResolvedConfig = fx.config) {
  dirs.push(config.stateDir);
  const driver = (deps.driver as FakeDriver | undefined) ?? createFakeDriver();
  const log = captureLog();
  const daemon = await startDaemon(config, { driver, log, ...deps });
  running.push(daemon);
  return { daemon, driver, log };
}

/** Sends from a fresh socket, waits until the daemon has decided, and reports anything sent back. */
async function send(
  daemon: Daemon,
  datagrams: Uint8Array[],
  to = daemon.addresses[0]!,
): Promise<{ replies: number }> {
  const before = daemon.metrics().received;
  const socket = createSocket(to.address.includes(':') ? 'udp6' : 'udp4');
  let replies = 0;
  socket.on('message', () => replies++);
  for (const d of datagrams) await new Promise<void>((r) => socket.send(d, to.port, to.address, () => r()));
  const deadline = Date.now() + 3000;
  while (daemon.metrics().received < before + datagrams.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2));
  }
  await daemon.idle();
  await new Promise((r) => setTimeout(r, 20)); // a reply, if any, would have arrived by now
  socket.close();
  return { replies };
}

describe('daemon', () => {
  it('sets up the firewall for every service port, listens, and logs where', async () => {
    const fx = makeFixture();
    const beforeMs = performance.now();
    const { daemon, driver, log } = await start(fx);
    const afterMs = performance.now();
    expect(driver.calls[0]).toEqual({
      op: 'setup',
      ports: [
        { protocol: 'tcp', port: 22 },
        { protocol: 'tcp', port: 80 },
        { protocol: 'tcp', port: 443 },
        { protocol: 'udp', port: 53 },
      ],
    });
    expect(daemon.addresses[0]?.port).toBeGreaterThan(0);
    expect(log.events('daemon.listening')[0]).toMatchObject({
      level: 'info',
      listen: [`127.0.0.1:${daemon.addresses[0]?.port}`],
      firewall: 'nftables',
    });
    // Both are read on the process's clock: the table is built within the start, which ends listening.
    const listening = log.events('daemon.listening')[0];
    const [startMs, tableMs, cpuMs] = [listening?.startMs, listening?.tableMs, listening?.cpuMs];
    expect(tableMs).toBeGreaterThanOrEqual(0);
    expect(tableMs).toBeLessThanOrEqual(Math.ceil(afterMs - beforeMs));
    expect(startMs).toBeGreaterThanOrEqual(Math.floor(beforeMs));
    expect(startMs).toBeLessThanOrEqual(Math.ceil(afterMs));
    // The process's CPU since it started: at most what it used by the time the start returned.
    const used = process.cpuUsage();
    const cpuAfterMs = Math.ceil((used.user + used.system) / 1000);
    expect(cpuMs).toBeGreaterThan(0);
    expect(cpuMs).toBeLessThanOrEqual(cpuAfterMs);
  });

  it('grants a valid knock over UDP and never sends a byte back, to anyone', async () => {
    const fx = makeFixture();
    const { daemon, driver } = await start(fx);
    const junk = [new Uint8Array(300), fx.knock({}, { client: makeClient('eve') }), fx.knock()];
    const { replies } = await send(daemon, junk);
    expect(replies).toBe(0);
    expect([...driver.grants.keys()]).toEqual(['4|127.0.0.1|tcp|22']);
    expect(daemon.metrics()).toMatchObject({ received: 3, accepted: 1 });
  });

  it('binds IPv4 and IPv6 on the same port and grants IPv6 sources as family 6', async () => {
    const fx = makeFixture({
      listen: [
        { address: '127.0.0.1', port: 0 },
        { address: '::1', port: 0 },
      ],
    });
    const { daemon, driver } = await start(fx);
    await send(daemon, [fx.knock()], daemon.addresses[1]);
    expect([...driver.grants.values()][0]).toMatchObject({ family: 6, address: '::1' });
  });

  it('refuses a replay after a restart on the same stateDir', async () => {
    const fx = makeFixture();
    const first = await start(fx);
    const knock = fx.knock(); // dated after the first start: a fresh stateDir refuses anything older
    await send(first.daemon, [knock]);
    await first.daemon.stop();
    const second = await start(fx);
    await send(second.daemon, [knock]);
    const refused = second.log.events('knock.refused');
    expect(refused).toEqual([expect.objectContaining({ reason: 'replay' })]);
    expect(refused[0]?.client).toBeUndefined(); // before the signature: no name

    expect(second.driver.calls.some((c) => c.op === 'grant')).toBe(false);
  });

  it('reload swaps keys and policy at once, and revokes grants of removed clients', async () => {
    const fx = makeFixture();
    const { daemon, driver, log } = await start(fx);
    await send(daemon, [fx.knock()]);
    expect(driver.grants.size).toBe(1);
    const carol = makeClient('carol', { services: ['dns'] });
    const next: ResolvedConfig = {
      ...fx.config,
      clients: [carol.resolved],
      services: new Map([['dns', [{ protocol: 'udp', port: 53 }]]]),
    };
    await daemon.reload(next);
    expect(driver.calls.filter((c) => c.op === 'setup').at(-1)).toEqual({
      op: 'setup',
      ports: [{ protocol: 'udp', port: 53 }],
    });
    expect(driver.grants.size).toBe(0); // alice's grant was revoked with her key
    await send(daemon, [
      fx.knock(),
      fx.knock({ access: [{ type: 'service', name: 'dns' }] }, { client: carol }),
    ]);
    expect(log.events('knock.refused').map((e) => e.reason)).toEqual(['unknown-client']);
    expect([...driver.grants.keys()]).toEqual(['4|127.0.0.1|udp|53']);
    expect(log.events('daemon.reloaded')).toHaveLength(1);
  });

  it('a reload revokes by key id: a key rotated under the same name keeps no grant', async () => {
    const fx = makeFixture();
    const { daemon, driver } = await start(fx);
    await send(daemon, [fx.knock()]);
    expect(driver.grants.size).toBe(1);
    const rotated = makeClient('alice'); // same name, new key
    await daemon.reload({ ...fx.config, clients: [rotated.resolved, fx.clients[1]!.resolved] });
    expect(driver.grants.size).toBe(0);
  });

  it('a knock shortly before its key expires opens only until then', async () => {
    const expiresAtMs = Date.now() + 20_000;
    const fx = makeFixture({}, [makeClient('alice', { expiresAtMs })]);
    const { daemon, driver, log } = await start(fx);
    await send(daemon, [fx.knock({ durationSeconds: 300 })]);
    const timeout = [...driver.grants.values()][0]?.timeoutSeconds ?? 0;
    expect(timeout).toBeGreaterThanOrEqual(18);
    expect(timeout).toBeLessThanOrEqual(20);
    expect(log.events('knock.accepted')[0]).toMatchObject({ client: 'alice', duration: timeout });
  });

  it('a reload after a key expired revokes what it opened before its expires was set', async () => {
    const fx = makeFixture();
    let skew = 0;
    const { daemon, driver, log } = await start(fx, { clock: () => Date.now() + skew });
    await send(daemon, [fx.knock({ durationSeconds: 300 })]);
    expect(driver.grants.size).toBe(1);
    const [alice, bob] = fx.config.clients as [ResolvedClient, ResolvedClient];
    const expiring = { ...fx.config, clients: [{ ...alice, expiresAtMs: Date.now() + 10_000 }, bob] };
    await daemon.reload(expiring);
    expect(driver.grants.size).toBe(1); // not expired yet
    skew = 15_000; // past the expiry; the knocks' timestamps are still inside the window
    await daemon.reload(expiring);
    expect(driver.grants.size).toBe(0);
    expect(log.events('grants.revoked')).toEqual([expect.objectContaining({ count: 1 })]);
  });

  it('a restart revokes what an earlier run granted clients no longer configured, and keeps the rest', async () => {
    const fx = makeFixture({}, [makeClient('bob', { services: ['ssh'] })]);
    const driver = createFakeDriver();
    const left = (address: string, client: string) =>
      ({ family: 4, address, protocol: 'tcp', port: 22, client, timeoutSeconds: 600 }) as const;
    driver.grants.set('4|192.0.2.1|tcp|22', left('192.0.2.1', 'alice'));
    driver.grants.set('4|192.0.2.2|tcp|22', left('192.0.2.2', 'bob'));
    const { log } = await start(fx, { driver });
    expect([...driver.grants.keys()]).toEqual(['4|192.0.2.2|tcp|22']);
    const revoked = log.events('grant.revoked');
    expect(revoked).toEqual([
      expect.objectContaining({ client: 'alice', address: '192.0.2.1', port: 'tcp/22', reason: 'removed' }),
    ]);
    // Before the daemon listens: no knock is read while the grant is still open.
    const order = log.entries.map((e) => e.event);
    expect(order.indexOf('grant.revoked')).toBeLessThan(order.indexOf('daemon.listening'));
  });

  it('warns at start and at each reload with one line naming the clients that allow source mode', async () => {
    const fx = makeFixture({}, [makeClient('alice'), makeClient('bob', { allowSourceAddress: false })]);
    const { daemon, log } = await start(fx);
    expect(log.events('client.source-mode')).toEqual([
      expect.objectContaining({ level: 'warn', count: 1, clients: ['alice'] }),
    ]);
    await daemon.reload(fx.config);
    expect(log.events('client.source-mode').map((e) => e.clients)).toEqual([['alice'], ['alice']]);
  });

  it('a fleet in source mode gets one warning with the count and the first names, not one per client', async () => {
    const many = Array.from({ length: 12 }, (_, i) => makeClient(`c${String(i).padStart(2, '0')}`));
    const fx = makeFixture({}, many);
    const { log } = await start(fx);
    const [line, ...rest] = log.events('client.source-mode');
    expect(rest).toEqual([]);
    expect(line).toMatchObject({ count: 12, clients: ['c00', 'c01', 'c02', 'c03', 'c04'] });
    expect(String(line?.message)).toContain('c04 and 7 more');
  });

  it('reload applies new per-client limits and replay bounds to the next knock', async () => {
    const T0 = 1_800_000_000_000;
    const fx = makeFixture();
    const { daemon, log } = await start(fx, { clock: () => T0 });
    await send(daemon, [fx.knock({}, { now: T0 })]);
    // The clock stands still: no bucket refills, nothing ages out of the window.
    await daemon.reload({ ...fx.config, replay: { capacity: 65_536, perClient: 2 } });
    await send(daemon, [fx.knock({}, { now: T0 }), fx.knock({}, { now: T0 })]);
    // Back to perClient 4096, and a burst of 1: the bucket keeps at most one of its tokens.
    await daemon.reload({ ...fx.config, rateLimit: { ...fx.config.rateLimit, perClientBurst: 1 } });
    await send(daemon, [fx.knock({}, { now: T0 }), fx.knock({}, { now: T0 })]);
    expect(log.events('knock.refused').map((e) => e.reason)).toEqual([
      'client-replay-full',
      'client-rate-limited',
    ]);
    expect(daemon.metrics().accepted).toBe(3);
  });

  it('a reload that cannot set up the firewall keeps the old configuration', async () => {
    const fx = makeFixture();
    const { daemon, driver } = await start(fx);
    driver.failNext('setup');
    const next: ResolvedConfig = {
      ...fx.config,
      clients: [],
      services: new Map([['dns', [{ protocol: 'udp', port: 53 }]]]),
    };
    await expect(daemon.reload(next)).rejects.toMatchObject({ code: 'FIREWALL_SETUP_FAILED' });
    await send(daemon, [fx.knock()]);
    expect(daemon.metrics().accepted).toBe(1);
    // The failed setup may have left part of itself in the kernel: the next reload sets up again,
    // even with the ports the firewall last took.
    const setups = driver.calls.filter((c) => c.op === 'setup').length;
    await daemon.reload(fx.config);
    expect(driver.calls.filter((c) => c.op === 'setup')).toHaveLength(setups + 1);
  });

  it('a reload that keeps the ports sets nothing up again (no nft transaction for grants to wait behind)', async () => {
    const fx = makeFixture();
    const { daemon, driver } = await start(fx);
    const setups = driver.calls.filter((c) => c.op === 'setup').length;
    await daemon.reload({ ...fx.config, clients: [fx.clients[0]!.resolved] });
    expect(driver.calls.filter((c) => c.op === 'setup')).toHaveLength(setups);
    await send(daemon, [fx.knock()]);
    expect(daemon.metrics().accepted).toBe(1);
  });

  it('names restart-only changes on reload instead of silently ignoring them', async () => {
    const fx = makeFixture();
    const { daemon, log } = await start(fx);
    await daemon.reload({ ...fx.config, stateDir: '/elsewhere' });
    expect(log.events('daemon.restart-required')[0]).toMatchObject({ fields: ['stateDir'] });
  });

  it('names the firewall when a new per-source rate changes the in-kernel knock limit', async () => {
    const fx = makeFixture();
    const { daemon, log } = await start(fx);
    const rate = fx.config.rateLimit.perSourceRate * 10;
    await daemon.reload({ ...fx.config, rateLimit: { ...fx.config.rateLimit, perSourceRate: rate } });
    expect(log.events('daemon.restart-required')[0]).toMatchObject({ fields: ['firewall'] });
  });

  it('rebuilds a firewall table deleted underneath and re-grants what is still live', async () => {
    const fx = makeFixture();
    const { daemon, driver, log } = await start(fx, { intervals: { integrityMs: 20 } });
    await send(daemon, [fx.knock({ durationSeconds: 100 })]);
    driver.loseTable();
    const deadline = Date.now() + 2000;
    while (log.events('firewall.rebuilt').length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(log.events('firewall.missing')).toHaveLength(1);
    expect(log.events('firewall.rebuilt')[0]).toMatchObject({ count: 1 });
    const regrant = [...driver.grants.values()][0];
    expect(regrant).toMatchObject({
      address: '127.0.0.1',
      port: 22,
      client: expect.stringMatching(/^alice:[0-9a-f]{12}$/),
    });
    expect(regrant?.timeoutSeconds).toBeLessThanOrEqual(100);
    expect(regrant?.timeoutSeconds).toBeGreaterThan(95);
    expect(daemon.metrics().firewallRebuilds).toBe(1);
  });

  it('limits refusal lines and summarises the rest', async () => {
    const fx = makeFixture({ log: { level: 'info', refusalsPerSecond: 2 } });
    const { daemon, log } = await start(fx, { intervals: { logSummaryMs: 60_000 } });
    await send(
      daemon,
      Array.from({ length: 10 }, () => new Uint8Array(50)),
    );
    expect(log.events('knock.refused')).toHaveLength(2);
    await daemon.stop();
    expect(log.events('log.suppressed')).toEqual([
      expect.objectContaining({
        level: 'warn',
        count: 8,
        reasons: { 'too-short': 8 },
        message: '8 refusals suppressed',
      }),
    ]);
    expect(daemon.metrics().logSuppressed).toBe(8);
    expect(daemon.metrics().refused['too-short']).toBe(10);
  });

  it('serves Prometheus metrics on GET /metrics only', async () => {
    const fx = makeFixture({ metrics: { address: '127.0.0.1', port: 0 } });
    const { daemon } = await start(fx);
    await send(daemon, [new Uint8Array(10), fx.knock()]);
    const base = `http://127.0.0.1:${daemon.metricsAddress?.port}`;
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    expect(text).toContain('spa_knocks_refused_total{reason="too-short"} 1');
    expect(text).toContain('spa_knocks_accepted_total 1');
    expect(text).toContain('spa_replay_entries 1');
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('warns at start when metrics are served beyond loopback, and only then', async () => {
    const remote = await start(makeFixture({ metrics: { address: '0.0.0.0', port: 0 } }));
    expect(remote.log.events('metrics.remote')).toEqual([
      expect.objectContaining({
        level: 'warn',
        listen: `0.0.0.0:${remote.daemon.metricsAddress?.port}`,
      }),
    ]);
    const local = await start(makeFixture({ metrics: { address: '127.0.0.1', port: 0 } }));
    expect(local.log.events('metrics.remote')).toEqual([]);
  });

  it('stops cleanly: sockets closed, replay state written, the driver closed but grants left in the kernel', async () => {
    const fx = makeFixture();
    const { daemon, driver, log } = await start(fx);
    await send(daemon, [fx.knock()]);
    await daemon.stop();
    await daemon.stop(); // idempotent
    expect(driver.calls.at(-1)).toEqual({ op: 'close' });
    expect(driver.calls.some((c) => c.op === 'flush' || c.op === 'revoke')).toBe(false);
    await expect(daemon.reload(fx.config)).rejects.toMatchObject({ code: 'DAEMON_STOPPED' });
    expect(log.events('daemon.stopping')).toHaveLength(1);
  });

  describe('start-up errors are typed, one line, and name the culprit', () => {
    it('stateDir not writable', async () => {
      const fx = makeFixture();
      const file = join(fx.config.stateDir, 'plain-file');
      writeFileSync(file, '');
      const driver = createFakeDriver();
      const err = await startDaemon(
        { ...fx.config, stateDir: join(file, 'state') },
        { driver, log: captureLog() },
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServerError);
      expect(err).toMatchObject({
        code: 'STATE_DIR_UNWRITABLE',
        message: expect.stringContaining('stateDir'),
      });
      expect(driver.calls).toEqual([]); // nothing touched the firewall
    });

    it('listen address in use', async () => {
      const fx = makeFixture();
      const { daemon } = await start(fx);
      const fx2 = makeFixture({ listen: [daemon.addresses[0]!] });
      dirs.push(fx2.config.stateDir);
      const err = await startDaemon(fx2.config, { driver: createFakeDriver(), log: captureLog() }).catch(
        (e: unknown) => e,
      );
      expect(err).toMatchObject({
        code: 'LISTEN_FAILED',
        message: `listen: cannot bind UDP 127.0.0.1:${daemon.addresses[0]?.port}: address already in use`,
      });
    });

    it('firewall setup failure', async () => {
      const fx = makeFixture();
      dirs.push(fx.config.stateDir);
      const driver = createFakeDriver();
      driver.failNext('setup');
      const err = await startDaemon(fx.config, { driver, log: captureLog() }).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'FIREWALL_SETUP_FAILED',
        message: 'firewall: setup failed: fake setup failed',
      });
      expect((err as Error).cause).toMatchObject({ code: 'FIREWALL_COMMAND_FAILED' });
    });
  });
});
