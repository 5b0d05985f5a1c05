/** Figure 2: junk floods, from one source and from many, and legitimate knocks while they run. @module */
import { sleep } from './clock.js';
import { type FloodOptions, type JunkCost, measureJunkCost } from './flood.js';
import { buildKnocks, type LatencyResult, measureKnockLatency } from './latency.js';
import { floodOptions, type PhaseContext, withServer } from './phase-context.js';
import type { RunningServer } from './server-under-test.js';

/**
 * Junk alone (random bytes, then base64 text) from the outsider's one address; then legitimate knocks
 * during random junk from that address, and during random junk spread over the many-source addresses,
 * which no per-source limit (in the daemon or in the kernel) holds back.
 */
export async function measureJunkFloods(c: PhaseContext): Promise<void> {
  const { o, figures } = c;
  c.log(`${c.sut.name}: junk floods (${o.floodMs} ms each) and ${o.floodKnocks} knocks during each of two`);
  await withServer(c, { accessTimeoutS: o.accessTimeoutS }, async (running) => {
    const target = { pid: running.pid, host: c.env.server };
    const idle = async () => {
      await sleep(o.floodMs + 1000);
      return { value: null, datagrams: 0 };
    };
    figures.junkRandom = await measureJunkCost(target, floodOptions(c, running, 'random', o.floodMs), idle);
    figures.junkBase64 = await measureJunkCost(target, floodOptions(c, running, 'base64', o.floodMs), idle);
    figures.underFlood = await knocksDuringFlood(c, running, (ms) => floodOptions(c, running, 'random', ms));
    if (c.spoofed.length > 0) {
      const sources = c.spoofed;
      figures.junkSpoofed = await knocksDuringFlood(c, running, (ms) =>
        floodOptions(c, running, 'random', ms, { sources }),
      );
    }
  });
}

/**
 * `floodKnocks` legitimate knocks, each from a fresh client address and sent once, while the flood that
 * `flood(maxDurationMs)` describes runs; the flood ends when the knocks do.
 */
export async function knocksDuringFlood(
  c: PhaseContext,
  running: RunningServer,
  flood: (maxDurationMs: number) => FloodOptions,
): Promise<JunkCost<LatencyResult>> {
  const { o } = c;
  const legit = await buildKnocks(running, await c.pool.take(o.floodKnocks));
  // Only matters if something hangs: the knocks end the flood.
  const budgetMs = Math.min(o.floodKnocks * (o.floodKnockGapMs + o.floodKnockTimeoutMs) + 2000, 60_000);
  return measureJunkCost({ pid: running.pid, host: c.env.server }, flood(budgetMs), async () => ({
    value: await measureKnockLatency(c.prober, running, legit, {
      tcpPort: c.env.protectedPort,
      gapMs: o.floodKnockGapMs,
      timeoutMs: o.floodKnockTimeoutMs,
      intervalMs: o.intervalMs,
    }),
    datagrams: legit.length,
  }));
}
