/** What every measuring phase of one server shares: the lab, the prober, the options, and how a server is run. @module */
import type { Host } from 'spa-test-kit/lab/netns';
import { type CpuPlan, pinProcess } from './affinity.js';
import type { AliasPool } from './alias-pool.js';
import { onCleanup } from './cleanup.js';
import type { ServerFigures } from './figures.js';
import type { FloodOptions, JunkPayload } from './flood.js';
import type { Prober } from './prober.js';
import type { BenchEnv, RunningServer, ServerUnderTest, StartOptions } from './server-under-test.js';

export const FIGURE_NAMES = ['latency', 'flood', 'informed', 'grants', 'bulk', 'cold', 'felt'] as const;
export type FigureName = (typeof FIGURE_NAMES)[number];

/** Which figures to measure (1+6 idle share a phase) and how hard. */
export interface FigureOptions {
  readonly figures: ReadonlySet<FigureName>;
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
  /** Figures 2 and 3: source addresses of the many-source floods. */
  readonly spoofSources: number;
  /** Figure 3: distinct forged datagrams cycled through; real knocks sniffed (and replayed). */
  readonly informedPool: number;
  readonly sniffedKnocks: number;
  /** Figure 4: knocks from distinct addresses, offered rate (0: back to back). */
  readonly grantKnocks: number;
  readonly grantRatePerS: number;
  /** Figure 6 (bulk): accepted knocks to reach, each granting one address; knocks in flight at once. */
  readonly bulkKnocks: number;
  readonly bulkChunk: number;
  /** Figure 5: timed runs per command. */
  readonly coldRuns: number;
  /** Figure 7: measured rounds (each: plain ssh, ssh through SPA, and `open --wait` where there is one). */
  readonly feltRuns: number;
}

export interface PhaseContext {
  readonly sut: ServerUnderTest;
  readonly env: BenchEnv;
  readonly outsider: Host;
  /** Addresses of the outsider for many-source floods (empty when no flood figure was asked for). */
  readonly spoofed: readonly string[];
  readonly pool: AliasPool;
  readonly prober: Prober;
  readonly plan: CpuPlan;
  readonly o: FigureOptions;
  readonly figures: ServerFigures;
  readonly log: (message: string) => void;
}

/** Starts the server for one phase, pinned to the server CPU, and always stops it afterwards. */
export async function withServer<T>(
  c: PhaseContext,
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

/** A flood from the outsider at the server's knock port, bounded by the run's options. */
export function floodOptions(
  c: PhaseContext,
  running: RunningServer,
  payload: JunkPayload,
  maxDurationMs: number,
  extra: Pick<FloodOptions, 'poolFile' | 'sources'> = {},
): FloodOptions {
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
    ...extra,
  };
}
