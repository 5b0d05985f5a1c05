/** One-command benchmark: every server under test through the same figures, in one run, on one machine. @module */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLab, type Host } from '../test/lib/netns.js';
import { type CpuPlan, pinProcess, planCpus } from './lib/affinity.js';
import { type AliasPool, createAliasPool } from './lib/alias-pool.js';
import { installSignalHandlers, onCleanup, runCleanups } from './lib/cleanup.js';
import { sleep } from './lib/clock.js';
import { measureColdStart } from './lib/cold-start.js';
import { readMemory } from './lib/cpu-mem.js';
import { type FloodOptions, type JunkPayload, measureJunkCost } from './lib/flood.js';
import { createFwknopServer } from './lib/fwknop.js';
import { measureGrantThroughput } from './lib/grant-throughput.js';
import { buildKnocks, measureKnockLatency } from './lib/latency.js';
import { describeConditions, describeMachine } from './lib/machine.js';
import { probePort, waitForPort } from './lib/port-probe.js';
import { type Prober, startProber } from './lib/prober.js';
import { type BenchReport, renderMarkdown, type ServerFigures, writeReport } from './lib/report.js';
import type { BenchEnv, RunningServer, ServerUnderTest, StartOptions } from './lib/server-under-test.js';

const TCP_SERVICE = fileURLToPath(new URL('../test/lib/tcp-service.mjs', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const PROTECTED_PORT = 2222;
/** Cold-start knocks go here: nothing listens, so the server does no work while clients are being timed. */
const SINK_PORT = 9;

const { values: argv } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    servers: { type: 'string' },
    knocks: { type: 'string' },
    'interval-ms': { type: 'string' },
    'gap-ms': { type: 'string' },
    'access-timeout': { type: 'string' },
    'flood-ms': { type: 'string' },
    'flood-procs': { type: 'string' },
    'flood-knocks': { type: 'string' },
    'grant-knocks': { type: 'string' },
    'grant-rate': { type: 'string' },
    'cold-runs': { type: 'string' },
    'fwknopd-rules-check-threshold': { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

const quick = argv.quick === true;
const num = (v: string | undefined, full: number, short: number): number => {
  const n = v === undefined ? (quick ? short : full) : Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a number: ${v}`);
  return n;
};
const options = {
  quick,
  /** Figure 1: knocks, pause between them, grant lifetime, probe resolution. */
  knocks: num(argv.knocks, 100, 30),
  gapMs: num(argv['gap-ms'], 100, 50),
  accessTimeoutS: num(argv['access-timeout'], 2, 2),
  intervalMs: num(argv['interval-ms'], 1, 1),
  knockTimeoutMs: 2000,
  /** Figure 2: junk-only flood length, generator processes, legitimate knocks during a flood. */
  floodMs: num(argv['flood-ms'], 5000, 2000),
  floodProcesses: num(argv['flood-procs'], 1, 1),
  floodMaxCount: 50_000_000,
  floodKnocks: num(argv['flood-knocks'], 30, 10),
  floodKnockGapMs: 100,
  floodKnockTimeoutMs: 1000,
  /** Figure 4. */
  grantKnocks: num(argv['grant-knocks'], 300, 100),
  grantRatePerS: num(argv['grant-rate'], 0, 0),
  /** Figure 5. */
  coldRuns: num(argv['cold-runs'], 50, 10),
};

/**
 * The servers this benchmark knows. HOOK(spa-server): add
 *   'spa-server': () => createSpaServer(),
 * with createSpaServer in bench/lib/spa-server.ts implementing ServerUnderTest (see server-under-test.ts).
 */
const SERVERS: Record<string, () => ServerUnderTest> = {
  fwknopd: () => {
    const t = argv['fwknopd-rules-check-threshold'];
    return createFwknopServer(t === undefined ? {} : { rulesCheckThreshold: Number(t) });
  },
};

const USAGE = `pnpm bench [--quick] [--servers ${Object.keys(SERVERS).join(',')}] [--knocks N] [--gap-ms MS]
  [--interval-ms MS] [--access-timeout S] [--flood-ms MS] [--flood-procs N] [--flood-knocks N]
  [--grant-knocks N] [--grant-rate PER_S] [--cold-runs N] [--fwknopd-rules-check-threshold N] [--out DIR]
Runs as root: creates network namespaces, removes them at the end (also on Ctrl-C).`;

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Starts the server for one phase, pinned to the server CPU, and always stops it afterwards. */
async function withServer<T>(
  sut: ServerUnderTest,
  env: BenchEnv,
  start: StartOptions,
  plan: CpuPlan,
  fn: (running: RunningServer) => Promise<T>,
): Promise<T> {
  const running = await sut.start(env, start);
  const stop = onCleanup(() => running.stop());
  try {
    await pinProcess(running.pid, plan.server);
    return await fn(running);
  } finally {
    await stop();
  }
}

/** Precondition, not a figure: the port is filtered, the real client opens it for itself only. */
async function verifyGrant(env: BenchEnv, outsider: Host, running: RunningServer): Promise<void> {
  const { client, server, protectedPort: port } = env;
  const expect = (what: string, got: string, want: string): void => {
    if (got !== want)
      throw new Error(`${what}: port ${port} is ${got}, expected ${want}; figures would be wrong`);
  };
  expect('client before knock', await probePort(client, server.ipv4, port), 'filtered');
  expect('outsider before knock', await probePort(outsider, server.ipv4, port), 'filtered');
  const cmd = running.clientCommand(client.ipv4, { address: running.knockAddress, port: running.knockPort });
  await client.exec(cmd.file, [...cmd.args], { env: { ...cmd.env } });
  expect('client after knock', await waitForPort(client, server.ipv4, port, 'open', 5000), 'open');
  expect('outsider after knock', await probePort(outsider, server.ipv4, port), 'filtered');
}

/** Starts the protected TCP service in the server namespace and waits until it listens. */
async function startService(server: Host): Promise<void> {
  const service = server.exec(process.execPath, [TCP_SERVICE, String(PROTECTED_PORT)], {
    buffer: false,
    reject: false,
  });
  onCleanup(async () => {
    service.kill();
    await service.catch(() => {});
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: service.stdout! }).once('line', () => resolve());
    void service.then(() => reject(new Error('tcp service exited')));
  });
}

function floodOptions(
  env: BenchEnv,
  source: Host,
  running: RunningServer,
  plan: CpuPlan,
  payload: JunkPayload,
) {
  return {
    lab: env.lab,
    source,
    to: running.knockAddress,
    port: running.knockPort,
    maxCount: options.floodMaxCount,
    maxDurationMs: options.floodMs,
    payload,
    // base64 text of SPA-like sizes gets past "is it base64" checks to the HMAC; random bytes do not.
    minLen: payload === 'random' ? 1 : 150,
    maxLen: payload === 'random' ? 1200 : 400,
    processes: options.floodProcesses,
    cpus: plan.load,
  } satisfies FloodOptions;
}

/** All figures for one server, in a lab of its own that is gone when this returns or throws. */
async function benchServer(sut: ServerUnderTest, plan: CpuPlan): Promise<ServerFigures> {
  const lab = await createLab(['server', 'client', 'outsider']);
  onCleanup(() => lab.destroy());
  const workDir = await mkdtemp(join(tmpdir(), 'spa-bench-'));
  onCleanup(() => rm(workDir, { recursive: true, force: true }));
  try {
    const server = lab.host('server');
    const client = lab.host('client');
    const outsider = lab.host('outsider');
    const env: BenchEnv = { lab, server, client, protectedPort: PROTECTED_PORT, workDir };
    const before = await describeConditions(lab.id);
    const figures: ServerFigures = { name: sut.name, version: await sut.version() };
    log(
      `${sut.name}: lab ${lab.id}; load average ${before.loadAverage.join(' ')}; ${before.otherNamespaces} other netns`,
    );
    await startService(server);
    const pool: AliasPool = await createAliasPool(client, server);
    const prober: Prober = await startProber(client);
    onCleanup(() => prober.close());
    const shortGrants = { accessTimeoutS: options.accessTimeoutS };

    log(`${sut.name}: idle memory, grant check, latency over ${options.knocks} knocks`);
    await withServer(sut, env, shortGrants, plan, async (running) => {
      await sleep(1000);
      figures.memoryIdle = await readMemory(running.pid);
      await verifyGrant(env, outsider, running);
      const knocks = await buildKnocks(running, await pool.take(options.knocks));
      figures.latency = await measureKnockLatency(prober, running, knocks, {
        tcpPort: PROTECTED_PORT,
        gapMs: options.gapMs,
        timeoutMs: options.knockTimeoutMs,
        intervalMs: options.intervalMs,
      });
      log(`${sut.name}: latency p50 ${figures.latency.summary.p50.toFixed(2)} ms`);
    });

    log(`${sut.name}: junk floods (${options.floodMs} ms each) and knocks during a flood`);
    await withServer(sut, env, shortGrants, plan, async (running) => {
      const target = { pid: running.pid, host: server };
      const idle = async () => {
        await sleep(options.floodMs + 1000);
        return { value: null, datagrams: 0 };
      };
      figures.junkRandom = await measureJunkCost(
        target,
        floodOptions(env, outsider, running, plan, 'random'),
        idle,
      );
      figures.junkBase64 = await measureJunkCost(
        target,
        floodOptions(env, outsider, running, plan, 'base64'),
        idle,
      );
      const legit = await buildKnocks(running, await pool.take(options.floodKnocks));
      const budgetMs = options.floodKnocks * (options.floodKnockGapMs + options.floodKnockTimeoutMs) + 2000;
      const flood = {
        ...floodOptions(env, outsider, running, plan, 'random'),
        maxDurationMs: Math.min(budgetMs, 60_000),
      };
      figures.underFlood = await measureJunkCost(target, flood, async () => ({
        value: await measureKnockLatency(prober, running, legit, {
          tcpPort: PROTECTED_PORT,
          gapMs: options.floodKnockGapMs,
          timeoutMs: options.floodKnockTimeoutMs,
          intervalMs: options.intervalMs,
        }),
        datagrams: legit.length,
      }));
    });

    log(`${sut.name}: ${options.grantKnocks} knocks from distinct addresses at once`);
    // Long grants: no rule expires (and no expiry work competes) while the burst is being granted.
    await withServer(sut, env, { accessTimeoutS: 120 }, plan, async (running) => {
      const knocks = await buildKnocks(running, await pool.take(options.grantKnocks));
      figures.grants = await measureGrantThroughput(prober, running, server, knocks, {
        ratePerS: options.grantRatePerS,
        quietMs: 2000,
        maxWaitMs: 30_000,
      });
      figures.memoryAfterGrants = await readMemory(running.pid);
    });

    log(`${sut.name}: client cold start, ${options.coldRuns} runs`);
    await withServer(sut, env, shortGrants, plan, async (running) => {
      const cmd = running.clientCommand(client.ipv4, { address: server.ipv4, port: SINK_PORT });
      const cold = await measureColdStart(
        client,
        { client: cmd, node: { file: process.execPath, args: ['-e', '0'] } },
        options.coldRuns,
      );
      figures.clientColdStart = cold.summaries.client;
      figures.nodeColdStart = cold.summaries.node;
    });
    figures.conditions = { before, after: await describeConditions(lab.id) };
    return figures;
  } finally {
    // Servers run one after another, so everything registered now belongs to this one: prober,
    // service, then the work directory and the lab (newest first).
    await runCleanups();
  }
}

async function main(): Promise<void> {
  if (argv.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  installSignalHandlers();
  const names = argv.servers?.split(',') ?? Object.keys(SERVERS);
  const unknown = names.filter((n) => !(n in SERVERS));
  if (unknown.length > 0)
    throw new Error(`unknown server(s) ${unknown.join(', ')}; known: ${Object.keys(SERVERS)}`);
  const plan = planCpus();
  const report: BenchReport = {
    machine: await describeMachine(new Date()),
    options: { ...options, cpus: plan },
    servers: [],
  };
  for (const name of names) report.servers.push(await benchServer(SERVERS[name]!(), plan));
  const files = await writeReport(report, argv.out ?? RESULTS_DIR);
  process.stdout.write(renderMarkdown(report, files[2]!));
  log(`wrote ${files.join(', ')}`);
}

try {
  await main();
} catch (error) {
  process.stderr.write(
    `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  await runCleanups();
}
