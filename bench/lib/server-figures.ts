/** Every figure for one server under test, measured in a lab of its own that is removed afterwards. @module */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createLab, type Host } from '../../test/lib/netns.js';
import { probeTcp, waitForTcp } from '../../test/lib/probe.js';
import { type CpuPlan, pinProcess } from './affinity.js';
import { type AliasPool, createAliasPool } from './alias-pool.js';
import { onCleanup, runCleanups } from './cleanup.js';
import { sleep } from './clock.js';
import { measureColdStart } from './cold-start.js';
import { readMemory } from './cpu-mem.js';
import { type FloodOptions, type JunkPayload, measureJunkCost } from './flood.js';
import { measureGrantThroughput } from './grant-throughput.js';
import { buildKnocks, measureKnockLatency } from './latency.js';
import { describeConditions } from './machine.js';
import { type Prober, startProber } from './prober.js';
import type { ServerFigures } from './report.js';
import type { BenchEnv, RunningServer, ServerUnderTest, StartOptions } from './server-under-test.js';

const TCP_SERVICE = fileURLToPath(new URL('../../test/lib/tcp-service.mjs', import.meta.url));
const PROTECTED_PORT = 2222;
/** Cold-start knocks go here: nothing listens, so the server does no work while clients are being timed. */
const SINK_PORT = 9;

/** Which figures to measure (1+6 idle share a phase) and how hard. */
export interface FigureOptions {
  readonly figures: ReadonlySet<'latency' | 'flood' | 'grants' | 'cold'>;
  /** Figure 1: knocks, pause between them, grant lifetime (s), probe resolution, give-up time. */
  readonly knocks: number;
  readonly gapMs: number;
  readonly accessTimeoutS: number;
  readonly intervalMs: number;
  readonly knockTimeoutMs: number;
  /** Figure 2: junk-only flood length, generator processes, count bound, knocks during a flood. */
  readonly floodMs: number;
  readonly floodProcesses: number;
  readonly floodMaxCount: number;
  readonly floodKnocks: number;
  readonly floodKnockGapMs: number;
  readonly floodKnockTimeoutMs: number;
  /** Figure 4: knocks from distinct addresses, offered rate (0: back to back). */
  readonly grantKnocks: number;
  readonly grantRatePerS: number;
  /** Figure 5: timed runs per command. */
  readonly coldRuns: number;
}

interface Ctx {
  readonly sut: ServerUnderTest;
  readonly env: BenchEnv;
  readonly outsider: Host;
  readonly pool: AliasPool;
  readonly prober: Prober;
  readonly plan: CpuPlan;
  readonly o: FigureOptions;
  readonly figures: ServerFigures;
  readonly log: (message: string) => void;
}

/** Runs the selected phases for `sut`; everything it created is gone when this returns or throws. */
export async function measureServer(
  sut: ServerUnderTest,
  o: FigureOptions,
  plan: CpuPlan,
  log: (message: string) => void,
): Promise<ServerFigures> {
  const lab = await createLab(['server', 'client', 'outsider']);
  onCleanup(() => lab.destroy());
  const workDir = await mkdtemp(join(tmpdir(), 'spa-bench-'));
  onCleanup(() => rm(workDir, { recursive: true, force: true }));
  try {
    const server = lab.host('server');
    const client = lab.host('client');
    const env: BenchEnv = { lab, server, client, protectedPort: PROTECTED_PORT, workDir };
    const before = await describeConditions(lab.id);
    log(
      `${sut.name}: lab ${lab.id}; load ${before.loadAverage.join(' ')}; ${before.otherNamespaces} other netns`,
    );
    const figures: ServerFigures = { name: sut.name, version: await sut.version() };
    await _startService(server);
    const pool = await createAliasPool(client, server);
    const prober = await startProber(client);
    onCleanup(() => prober.close());
    const ctx: Ctx = { sut, env, outsider: lab.host('outsider'), pool, prober, plan, o, figures, log };
    await _latencyPhase(ctx);
    if (o.figures.has('flood')) await _floodPhase(ctx);
    if (o.figures.has('grants')) await _grantPhase(ctx);
    if (o.figures.has('cold')) await _coldStartPhase(ctx);
    figures.conditions = { before, after: await describeConditions(lab.id) };
    return figures;
  } finally {
    // Servers run one after another, so everything registered now belongs to this one: server,
    // prober, service, then the work directory and the lab (newest first).
    await runCleanups();
  }
}

/** Figures 6 (idle) and 1, after checking that the grant works at all. */
async function _latencyPhase(c: Ctx): Promise<void> {
  const { o, figures } = c;
  const measure = o.figures.has('latency');
  c.log(`${c.sut.name}: idle memory, grant check${measure ? `, latency over ${o.knocks} knocks` : ''}`);
  await _withServer(c, { accessTimeoutS: o.accessTimeoutS }, async (running) => {
    await sleep(1000);
    figures.memoryIdle = await readMemory(running.pid);
    await _verifyGrant(c, running);
    if (!measure) return;
    const knocks = await buildKnocks(running, await c.pool.take(o.knocks));
    figures.latency = await measureKnockLatency(c.prober, running, knocks, {
      tcpPort: PROTECTED_PORT,
      gapMs: o.gapMs,
      timeoutMs: o.knockTimeoutMs,
      intervalMs: o.intervalMs,
    });
    const s = figures.latency.summary;
    c.log(
      `${c.sut.name}: latency p50 ${s.p50.toFixed(2)} p95 ${s.p95.toFixed(2)} p99 ${s.p99.toFixed(2)} ms`,
    );
  });
}

/** Figure 2: junk alone (two shapes), then legitimate knocks while random junk floods in. */
async function _floodPhase(c: Ctx): Promise<void> {
  const { o, figures } = c;
  c.log(`${c.sut.name}: junk floods (${o.floodMs} ms each) and ${o.floodKnocks} knocks during a flood`);
  await _withServer(c, { accessTimeoutS: o.accessTimeoutS }, async (running) => {
    const target = { pid: running.pid, host: c.env.server };
    const idle = async () => {
      await sleep(o.floodMs + 1000);
      return { value: null, datagrams: 0 };
    };
    figures.junkRandom = await measureJunkCost(target, _flood(c, running, 'random', o.floodMs), idle);
    figures.junkBase64 = await measureJunkCost(target, _flood(c, running, 'base64', o.floodMs), idle);
    const legit = await buildKnocks(running, await c.pool.take(o.floodKnocks));
    // The flood ends when the knocks do; this bound only matters if something hangs.
    const budgetMs = Math.min(o.floodKnocks * (o.floodKnockGapMs + o.floodKnockTimeoutMs) + 2000, 60_000);
    figures.underFlood = await measureJunkCost(target, _flood(c, running, 'random', budgetMs), async () => ({
      value: await measureKnockLatency(c.prober, running, legit, {
        tcpPort: PROTECTED_PORT,
        gapMs: o.floodKnockGapMs,
        timeoutMs: o.floodKnockTimeoutMs,
        intervalMs: o.intervalMs,
      }),
      datagrams: legit.length,
    }));
  });
}

/** Figures 4 and 6 (after load). */
async function _grantPhase(c: Ctx): Promise<void> {
  const { o, figures } = c;
  c.log(`${c.sut.name}: ${o.grantKnocks} knocks from distinct addresses at once`);
  // Long grants: no rule expires (and no expiry work competes) while the burst is being granted.
  await _withServer(c, { accessTimeoutS: 120 }, async (running) => {
    const knocks = await buildKnocks(running, await c.pool.take(o.grantKnocks));
    figures.grants = await measureGrantThroughput(c.prober, running, c.env.server, knocks, {
      ratePerS: o.grantRatePerS,
      quietMs: 2000,
      maxWaitMs: 30_000,
    });
    figures.memoryAfterGrants = await readMemory(running.pid);
  });
}

/** Figure 5. The server runs only because clientCommand() needs its keys. */
async function _coldStartPhase(c: Ctx): Promise<void> {
  c.log(`${c.sut.name}: client cold start, ${c.o.coldRuns} runs`);
  await _withServer(c, { accessTimeoutS: c.o.accessTimeoutS }, async (running) => {
    const { client, server } = c.env;
    const cmd = running.clientCommand(client.ipv4, { address: server.ipv4, port: SINK_PORT });
    const node = { file: process.execPath, args: ['-e', '0'] };
    const cold = await measureColdStart(client, { client: cmd, node }, c.o.coldRuns);
    c.figures.clientColdStart = cold.summaries.client;
    c.figures.nodeColdStart = cold.summaries.node;
  });
}

/** Starts the server for one phase, pinned to the server CPU, and always stops it afterwards. */
async function _withServer<T>(
  c: Ctx,
  start: StartOptions,
  fn: (running: RunningServer) => Promise<T>,
): Promise<T> {
  const running = await c.sut.start(c.env, start);
  const stop = onCleanup(() => running.stop());
  try {
    await pinProcess(running.pid, c.plan.server);
    return await fn(running);
  } finally {
    await stop();
  }
}

/** Precondition, not a figure: the port is filtered, and the real client opens it for itself only. */
async function _verifyGrant(c: Ctx, running: RunningServer): Promise<void> {
  const { client, server, protectedPort: port } = c.env;
  const expect = (what: string, got: string, want: string): void => {
    if (got !== want)
      throw new Error(`${what}: port ${port} is ${got}, expected ${want}; figures would be wrong`);
  };
  expect('client before knock', await probeTcp(client, server.ipv4, port), 'filtered');
  expect('outsider before knock', await probeTcp(c.outsider, server.ipv4, port), 'filtered');
  const cmd = running.clientCommand(client.ipv4, { address: running.knockAddress, port: running.knockPort });
  await client.exec(cmd.file, [...cmd.args], { env: { ...cmd.env } });
  expect('client after knock', await waitForTcp(client, server.ipv4, port, 'open', 5000), 'open');
  expect('outsider after knock', await probeTcp(c.outsider, server.ipv4, port), 'filtered');
}

/** The protected TCP service, in the server namespace; resolves once it listens. */
async function _startService(server: Host): Promise<void> {
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

function _flood(c: Ctx, running: RunningServer, payload: JunkPayload, maxDurationMs: number): FloodOptions {
  return {
    lab: c.env.lab,
    source: c.outsider,
    to: running.knockAddress,
    port: running.knockPort,
    maxCount: c.o.floodMaxCount,
    maxDurationMs,
    payload,
    // base64 text of SPA-like sizes gets past "is it base64" checks to the HMAC; random bytes do not.
    minLen: payload === 'random' ? 1 : 150,
    maxLen: payload === 'random' ? 1200 : 400,
    processes: c.o.floodProcesses,
    cpus: c.plan.load,
  };
}
