/** The packet pipeline wired with its real stages, a fake firewall and an injected clock, for the pipeline's tests. @module */
import { rmSync } from 'node:fs';
import type { ResolvedConfig } from '../src/config/resolved-config.js';
import { createGrantKeeper } from '../src/grants/grant-keeper.js';
import type { GrantKeeper } from '../src/grants/grant-keeper-api.js';
import { createDaemonLog, type DaemonLog } from '../src/observability/log.js';
import { createMetrics, type Metrics } from '../src/observability/metrics.js';
import { configuredPipeline } from '../src/pipeline/configured-pipeline.js';
import type { Pipeline } from '../src/pipeline/pipeline.js';
import { advanceTags, buildRuntime } from '../src/pipeline/runtime.js';
import { ReplayStore } from '../src/replay/replay-store.js';
import { type CaptureLog, captureLog } from './capture-log.js';
import { type CountingBackend, countingBackend } from './counting-backend.js';
import { createFakeDriver, type FakeDriver } from './fake-driver.js';
import { type Fixture, makeClient, makeFixture } from './fixtures.js';

export const T0 = 1_700_000_000_000;
/** Where every fed datagram comes from. */
export const SRC = '198.51.100.7';

const dirs: string[] = [];
/** Removes the state dirs of every rig made so far (afterAll); `track` adds another dir to remove. */
export const cleanupRigs = Object.assign(
  () => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  },
  { track: (dir: string) => void dirs.push(dir) },
);

export interface Rig {
  fx: Fixture;
  pipeline: Pipeline;
  driver: FakeDriver;
  backend: CountingBackend;
  log: CaptureLog;
  /** The daemon log the stages write to (its lines land in `log`). */
  daemonLog: DaemonLog;
  metrics: Metrics;
  replay: ReplayStore;
  grants: GrantKeeper;
  clock: { now: number };
  /** Nonces (hex) the pipeline handed to the kernel's knock gate, in order. */
  spent: string[];
  /** Feeds datagrams to the receive path and waits until every one is decided. */
  feed(...datagrams: Uint8Array[]): Promise<void>;
  /** The same, as if sent from another address. */
  feedFrom(address: string, ...datagrams: Uint8Array[]): Promise<void>;
  reasons(): string[];
}

/** A pipeline on `makeFixture(over, clients)`, its clock at T0. */
export async function rig(
  over: Partial<ResolvedConfig> = {},
  clients = [makeClient('alice'), makeClient('bob', { services: ['dns'] })],
): Promise<Rig> {
  const fx = makeFixture(over, clients);
  dirs.push(fx.config.stateDir);
  const clock = { now: T0 };
  const now = () => clock.now;
  const backend = countingBackend();
  const log = captureLog();
  const daemonLog = createDaemonLog({ sink: log, clock: now, level: 'debug', refusalsPerSecond: 1e9 });
  const { store: replay } = await ReplayStore.open({
    dir: fx.config.stateDir,
    windowMs: fx.config.timestampWindowSeconds * 1000,
    futureWindowMs: fx.config.futureWindowSeconds * 1000,
    capacity: fx.config.replay.capacity,
    perClient: fx.config.replay.perClient,
    clock: now,
  });
  const metrics = createMetrics({ replayEntries: () => replay.size, logSuppressed: () => 0 });
  const driver = createFakeDriver();
  const grants = createGrantKeeper({ driver, clock: now, log: daemonLog, metrics });
  const runtime = buildRuntime(fx.config, backend);
  const spent: string[] = [];
  await grants.setup(runtime.ports);
  const { pipeline } = configuredPipeline(fx.config, {
    runtime: () => runtime,
    replay,
    grants,
    log: daemonLog,
    metrics,
    clock: now,
    spent: (nonce) => spent.push(Buffer.from(nonce).toString('hex')),
  });
  // The tags of the epochs around T0, made now: the counts below start at the first datagram.
  advanceTags(runtime, clock.now);
  backend.reset();
  driver.calls.length = 0;
  return {
    fx,
    pipeline,
    driver,
    backend,
    log,
    daemonLog,
    metrics,
    replay,
    grants,
    clock,
    spent,
    async feed(...datagrams) {
      for (const d of datagrams) pipeline.receive(d, SRC, 40000);
      await pipeline.idle();
    },
    async feedFrom(address, ...datagrams) {
      for (const d of datagrams) pipeline.receive(d, address, 40000);
      await pipeline.idle();
    },
    reasons: () => log.events('knock.refused').map((e) => e.reason as string),
  };
}
