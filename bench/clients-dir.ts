/** A fleet in clientsDir: first start, SIGHUP reloads (none and one key changed), knocks during a reload, a restart on the key cache, the first grant and the memory after it, and a one-client baseline of both starts: `pnpm bench:clients` (root). @module */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBackend } from 'spa-node';
import { formatPublicKey, generateKeyPair } from 'spa-protocol';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab } from 'spa-test-kit/lab/netns';
import { waitForTcp } from 'spa-test-kit/lab/probe';
import { KNOCK_PORT, type LogLine, startServerProcess } from 'spa-test-kit/processes/server-process';
import { readMemory } from './lib/cpu-mem.js';
import { UNIT_NODE_FLAGS } from './lib/spa-server.js';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 10_000);
const SSH = 2222;
const KNOCKS = 8;
const KNOCK_GAP_MS = 50;
// Knocks sent across the stop and restart, one every RESTART_KNOCK_GAP_MS (4 s in all).
const RESTART_KNOCKS = 200;
const RESTART_KNOCK_GAP_MS = 20;
// The daemon runs as installed, with the shipped unit's NODE_OPTIONS, or BENCH_SERVER_NODE_FLAGS
// (space-separated; '' for Node's defaults), as `pnpm bench` runs it.
const nodeFlags = (process.env.BENCH_SERVER_NODE_FLAGS ?? UNIT_NODE_FLAGS).split(' ').filter((f) => f !== '');
// BENCH_CPU_PROF=DIR: the daemon writes V8 CPU profiles (first run and restart) into DIR, for `--cpu-prof` analysis.
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const daemonCommand = {
  wrapper: [
    process.execPath,
    ...nodeFlags,
    ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
  ],
  bin: join(import.meta.dirname, '../packages/spa-server/bin/spa-server.js'),
};
// What the daemon itself says at `listening`: ms since its process started, and of it the client table's.
const startFigures = (p: { logs(): LogLine[] }): { startMs: number; tableMs: number; cpuMs: number } => {
  const line = p.logs().find((l) => l.event === 'daemon.listening');
  const [startMs, tableMs, cpuMs] = [line?.startMs, line?.tableMs, line?.cpuMs];
  if (typeof startMs !== 'number' || typeof tableMs !== 'number' || typeof cpuMs !== 'number')
    throw new Error(
      'daemon.listening has no startMs/tableMs/cpuMs: bundle again (node scripts/bundle.mjs spa-server)',
    );
  return { startMs, tableMs, cpuMs };
};
const countAccepted = (p: { logs(): LogLine[] }): number =>
  p.logs().filter((l) => l.event === 'knock.accepted').length;
const clientFile = (publicKey: Uint8Array): string =>
  JSON.stringify({
    publicKey: formatPublicKey('client', publicKey),
    services: ['ssh'],
    allowSourceAddress: true,
  });

const lab = await createLab(['server', 'client']);
const dir = await mkdtemp(join(tmpdir(), 'spa-bench-clients-'));
const server = lab.host('server');
const client = lab.host('client');
const service = server.exec(process.execPath, [agentPath('tcp-service.mjs'), String(SSH)], { reject: false });
try {
  const clientsDir = join(dir, 'clients.d');
  await mkdir(clientsDir, { mode: 0o755 });
  for (let i = 0; i < CLIENTS; i++) {
    const { publicKey } = generateKeyPair(nodeBackend, 'client');
    await writeFile(join(clientsDir, `c${i}.json`), clientFile(publicKey), { mode: 0o644 });
  }
  // From the start to knockgate.ready: above 256 keys (alice and the files) the gate's tags follow
  // `listening`, the gate closed until then (daemon/knock-gate-sync.ts); smaller fleets have no such line.
  const gateReadyMs = async (
    p: { waitForLog(f: (l: LogLine) => boolean, ms?: number): Promise<LogLine> },
    since: number,
  ): Promise<number | undefined> =>
    CLIENTS + 1 > 256
      ? Date.parse(String((await p.waitForLog((l) => l.event === 'knockgate.ready', 60_000)).ts)) - since
      : undefined;
  const startedAt = Date.now();
  const started = performance.now();
  const spa = await startServerProcess({
    host: server,
    backend: 'nftables',
    services: { ssh: `tcp/${SSH}` },
    clients: [{ name: 'alice' }],
    config: { clientsDir, defaultDuration: 5 },
    readyTimeoutMs: 600_000,
    ...daemonCommand,
  });
  const startMs = performance.now() - started;
  const startGateMs = await gateReadyMs(spa, startedAt);
  let reloads = 0;
  const reload = async (): Promise<number> => {
    const nth = ++reloads;
    let seen = 0;
    const done = spa.waitForLog((l: LogLine) => l.event === 'daemon.reloaded' && ++seen === nth, 120_000);
    const t = performance.now();
    await spa.reload();
    await done;
    return performance.now() - t;
  };
  const unchangedMs = await reload();
  await writeFile(join(clientsDir, 'c0.json'), clientFile(generateKeyPair(nodeBackend, 'client').publicKey));
  const oneChangedMs = await reload();
  // Knocks sent right after SIGHUP, one every KNOCK_GAP_MS from one sender process: each one's delay is
  // the daemon's knock.accepted time minus the time the sender sent it (one wall clock, ms).
  await writeFile(join(clientsDir, 'c1.json'), clientFile(generateKeyPair(nodeBackend, 'client').publicKey));
  const before = spa.logs().filter((l) => l.event === 'knock.accepted').length;
  const during = reload();
  const knocks = Array.from({ length: KNOCKS }, () => Buffer.from(spa.knock()).toString('hex'));
  const sent = await client.exec(process.execPath, [
    agentPath('send-spaced.mjs'),
    server.ipv4,
    String(KNOCK_PORT),
    String(KNOCK_GAP_MS),
    ...knocks,
  ]);
  const sentAt = JSON.parse(String(sent.stdout)) as number[];
  const duringMs = await during;
  await spa.waitForLog(
    (l: LogLine) => l.event === 'knock.accepted' && countAccepted(spa) >= before + KNOCKS,
    10_000,
  );
  const accepted = spa
    .logs()
    .filter((l) => l.event === 'knock.accepted')
    .slice(before)
    .map((l) => Date.parse(String(l.ts)));
  const delays = sentAt.map((t, i) => accepted[i]! - t).sort((a, b) => a - b);
  const reloadedAt = Date.parse(
    String(
      spa
        .logs()
        .filter((l) => l.event === 'daemon.reloaded')
        .at(-1)?.ts,
    ),
  );
  const state = await waitForTcp(client, server.ipv4, SSH, 'open', 5000);
  // A restart on the same stateDir: the key cache spares the checks of keys seen before. A client
  // knocks every RESTART_KNOCK_GAP_MS throughout: the first grant is when a user gets in again.
  const restartKnocks = Array.from({ length: RESTART_KNOCKS }, () =>
    Buffer.from(spa.knock()).toString('hex'),
  );
  const restartSending = client.exec(process.execPath, [
    agentPath('send-spaced.mjs'),
    server.ipv4,
    String(KNOCK_PORT),
    String(RESTART_KNOCK_GAP_MS),
    ...restartKnocks,
  ]);
  // The sender's own start (a node process) is over before the restart's clock starts.
  await new Promise((r) => setTimeout(r, 300));
  await spa.stop();
  const restartedWall = Date.now();
  const restartedAt = performance.now();
  const again = await startServerProcess({
    host: server,
    backend: 'nftables',
    reuse: spa,
    readyTimeoutMs: 600_000,
    ...daemonCommand,
  });
  const restartMs = performance.now() - restartedAt;
  const restartGateMs = await gateReadyMs(again, restartedWall);
  await restartSending;
  const firstGrant = again.logs().find((l) => l.event === 'knock.accepted');
  const restartToFirstGrantMs = firstGrant ? Date.parse(String(firstGrant.ts)) - restartedWall : undefined;
  if (!firstGrant)
    console.warn(`no knock granted after the restart: its ${RESTART_KNOCKS} knocks ended before it listened`);
  // What the fleet holds in memory, as `ps` shows it: the restarted daemon's VmRSS once its knocks
  // are over (a few seconds after listening), against the one-client baseline's at the same age.
  const rssAgeMs = performance.now() - (restartedAt + restartMs);
  const restartRss = await readMemory(again.pid);
  await again.stop();
  await spa.cleanup();
  // The same daemon with alice alone, started and restarted the same way: what a start costs
  // whatever the fleet (Node, the bundle, nft's setup and listings, the event stream). The fleet's
  // load is the difference.
  const base = await startServerProcess({
    host: server,
    backend: 'nftables',
    services: { ssh: `tcp/${SSH}` },
    clients: [{ name: 'alice' }],
    config: { defaultDuration: 5 },
    ...daemonCommand,
  });
  await base.stop();
  const baseAgain = await startServerProcess({
    host: server,
    backend: 'nftables',
    reuse: base,
    ...daemonCommand,
  });
  // Counted from its `listening`, as the restart's age was.
  await new Promise((r) => setTimeout(r, rssAgeMs));
  const baselineRss = await readMemory(baseAgain.pid);
  await baseAgain.stop();
  await base.cleanup();
  const baseline = {
    start: startFigures(base).startMs,
    restart: startFigures(baseAgain).startMs,
    startCpu: startFigures(base).cpuMs,
    restartCpu: startFigures(baseAgain).cpuMs,
  };
  const figures = {
    clients: CLIENTS,
    startToListeningMs: Math.round(startMs),
    startToGateReadyMs: startGateMs,
    startInDaemonMs: startFigures(spa).startMs,
    startTableMs: startFigures(spa).tableMs,
    reloadUnchangedMs: Math.round(unchangedMs),
    reloadOneChangedMs: Math.round(oneChangedMs),
    reloadWithKnockMs: Math.round(duringMs),
    knocksDuringReload: sentAt.filter((t) => t <= reloadedAt).length,
    knockDelayP50Ms: delays[Math.floor(delays.length / 2)],
    knockDelayMaxMs: delays.at(-1),
    knockOpened: state === 'open',
    restartWithCacheMs: Math.round(restartMs),
    restartToGateReadyMs: restartGateMs,
    restartInDaemonMs: startFigures(again).startMs,
    restartTableMs: startFigures(again).tableMs,
    restartToFirstGrantMs,
    baselineStartInDaemonMs: baseline.start,
    baselineRestartInDaemonMs: baseline.restart,
    // What the fleet adds to a start: the daemon's own figure less the one-client baseline's.
    startLoadMs: startFigures(spa).startMs - baseline.start,
    restartLoadMs: startFigures(again).startMs - baseline.restart,
    // The same in CPU time (every thread of the daemon): steadier than wall-clock on a shared host.
    startCpuMs: startFigures(spa).cpuMs,
    restartCpuMs: startFigures(again).cpuMs,
    baselineStartCpuMs: baseline.startCpu,
    baselineRestartCpuMs: baseline.restartCpu,
    startLoadCpuMs: startFigures(spa).cpuMs - baseline.startCpu,
    restartLoadCpuMs: startFigures(again).cpuMs - baseline.restartCpu,
    restartRssMiB: Math.round(restartRss.rssKiB / 1024),
    baselineRestartRssMiB: Math.round(baselineRss.rssKiB / 1024),
    fleetRssMiB: Math.round((restartRss.rssKiB - baselineRss.rssKiB) / 1024),
    // Both read this long after `listening`.
    rssAgeMs: Math.round(rssAgeMs),
    loadAverage: (await import('node:os')).loadavg().map((l) => Number(l.toFixed(2))),
  };
  console.log(JSON.stringify(figures, null, 2));
  const out = join(
    import.meta.dirname,
    'results',
    `${new Date().toISOString().slice(0, 19).replaceAll(':', '-')}Z-clients.json`,
  );
  await writeFile(out, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`wrote ${out}`);
} finally {
  service.kill();
  await lab.destroy();
  await rm(dir, { recursive: true, force: true });
}
