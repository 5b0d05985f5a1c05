/** Every figure for one server under test, measured in a lab of its own that is removed afterwards. @module */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Host } from 'spa-test-kit/lab/netns';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import type { CpuPlan } from './affinity.js';
import { createAliasPool, OUTSIDER_RANGE } from './alias-pool.js';
import { measureBulkGrants } from './bulk-grants.js';
import { onCleanup, runCleanups } from './cleanup.js';
import { sleep } from './clock.js';
import { measureColdStart } from './cold-start.js';
import { readMemory } from './cpu-mem.js';
import { measureFelt } from './felt.js';
import type { ServerFigures } from './figures.js';
import { measureGrantThroughput } from './grant-throughput.js';
import { measureInformedFlood } from './informed-flood.js';
import { measureJunkFloods } from './junk-flood.js';
import { buildKnocks, measureKnockLatency } from './latency.js';
import { describeConditions } from './machine.js';
import { type FigureOptions, type PhaseContext, withServer } from './phase-context.js';
import { startProber } from './prober.js';
import type { BenchEnv, RunningServer, ServerUnderTest } from './server-under-test.js';

const TCP_SERVICE = agentPath('tcp-service.mjs');
const PROTECTED_PORT = 2222;
/** Cold-start knocks go here: nothing listens, so the server does no work while clients are being timed. */
const SINK_PORT = 9;

/** Runs the selected phases for `sut`; everything it created is gone when this returns or throws. */
export async function measureServer(
  sut: ServerUnderTest,
  o: FigureOptions,
  plan: CpuPlan,
  log: (message: string) => void,
): Promise<ServerFigures> {
  await sut.prepare?.();
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
    const outsider = lab.host('outsider');
    // Many-source floods come from these: a botnet, or forged source addresses. Each stays under any
    // per-source limit, so what the server does with junk that reaches it is measured too.
    const wantSpoofed = o.figures.has('flood') || o.figures.has('informed');
    const spoofPool = await createAliasPool(outsider, server, OUTSIDER_RANGE);
    const spoofed = wantSpoofed ? await spoofPool.take(o.spoofSources) : [];
    const ctx: PhaseContext = { sut, env, outsider, spoofed, pool, prober, plan, o, figures, log };
    await _latencyPhase(ctx);
    if (o.figures.has('felt')) await measureFelt(ctx);
    if (o.figures.has('flood')) await measureJunkFloods(ctx);
    if (o.figures.has('informed')) await measureInformedFlood(ctx);
    if (o.figures.has('grants')) await _grantPhase(ctx);
    if (o.figures.has('bulk')) await measureBulkGrants(ctx);
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
async function _latencyPhase(c: PhaseContext): Promise<void> {
  const { o, figures } = c;
  const measure = o.figures.has('latency');
  c.log(`${c.sut.name}: idle memory, grant check${measure ? `, latency over ${o.knocks} knocks` : ''}`);
  await withServer(c, { accessTimeoutS: o.accessTimeoutS }, async (running) => {
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

/** Figures 4 and 6 (after load). */
async function _grantPhase(c: PhaseContext): Promise<void> {
  const { o, figures } = c;
  c.log(`${c.sut.name}: ${o.grantKnocks} knocks from distinct addresses at once`);
  // Long grants: no rule expires (and no expiry work competes) while the burst is being granted.
  await withServer(c, { accessTimeoutS: 120 }, async (running) => {
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
async function _coldStartPhase(c: PhaseContext): Promise<void> {
  c.log(`${c.sut.name}: client cold start, ${c.o.coldRuns} runs`);
  await withServer(c, { accessTimeoutS: c.o.accessTimeoutS }, async (running) => {
    const { client, server } = c.env;
    const cmd = running.clientCommand(client.ipv4, { address: server.ipv4, port: SINK_PORT });
    const node = { file: process.execPath, args: ['-e', '0'] };
    const cold = await measureColdStart(client, { client: cmd, node }, c.o.coldRuns);
    c.figures.clientColdStart = cold.summaries.client;
    c.figures.nodeColdStart = cold.summaries.node;
  });
}

/** Precondition, not a figure: the port is filtered, and the real client opens it for itself only. */
async function _verifyGrant(c: PhaseContext, running: RunningServer): Promise<void> {
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
