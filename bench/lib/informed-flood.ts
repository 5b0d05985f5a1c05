/** Figure 3: legitimate knocks while the strongest informed attacker (every public key, sniffed knocks) floods the server. @module */
import { join } from 'node:path';
import { sleep } from './clock.js';
import { readMemory, watchPeakRss } from './cpu-mem.js';
import type { InformedFloodResult, InformedRun, ReplayPool } from './figures.js';
import { writeDatagramPool } from './flood.js';
import { knocksDuringFlood } from './junk-flood.js';
import { buildKnocks } from './latency.js';
import { floodOptions, type PhaseContext, withServer } from './phase-context.js';
import type { RunningServer } from './server-under-test.js';

/** The replay pool's knocks are granted when no new grant has appeared for this long, or... */
const REPLAY_POOL_QUIET_MS = 2000;
/** ...after this long in all. */
const REPLAY_POOL_MAX_MS = 15_000;

/**
 * Three pools, each from the many-source addresses with legitimate knocks during it: unknown tags,
 * sniffed tags with a bad mac2, byte copies of accepted knocks. The unknown-tag pool also runs from
 * the outsider's one address (the per-source limits' case; the kernel's limit acts before the daemon
 * reads a byte, so the pool does not matter there). Does nothing for a server without forgedKnocks.
 */
export async function measureInformedFlood(c: PhaseContext): Promise<void> {
  const { o } = c;
  const sources = c.spoofed;
  c.log(
    `${c.sut.name}: informed floods (unknown tag, sniffed tag, replayed copies) from ${sources.length} sources`,
  );
  await withServer(c, { accessTimeoutS: o.accessTimeoutS }, async (running) => {
    const forged = running.forgedKnocks;
    if (!forged) {
      c.log(`${c.sut.name}: no forged knocks for this server; figure 3 skipped`);
      return;
    }
    await sleep(1000);
    const memoryBefore = await readMemory(running.pid);
    const pool = async (name: string, datagrams: readonly Uint8Array[]): Promise<string> => {
      const file = join(c.env.workDir, `${name}.bin`);
      await writeDatagramPool(file, datagrams);
      return file;
    };
    const report = (what: string, run: InformedRun): InformedRun => {
      c.log(`${c.sut.name}: informed, ${what}: ${_describe(run)}`);
      return run;
    };

    const unknownFile = await pool(
      'unknown-tag',
      await forged('unknown-tag', o.informedPool, o.sniffedKnocks),
    );
    const oneSource = report('unknown tag, one source', await _run(c, running, unknownFile, undefined));
    const unknownTag = report('unknown tag', await _run(c, running, unknownFile, sources));
    // Built right before their flood: the tags are this epoch's, as a sniffer's would be.
    const sniffedFile = await pool(
      'sniffed-tag',
      await forged('sniffed-tag', o.informedPool, o.sniffedKnocks),
    );
    const sniffedTag = report('sniffed tag', await _run(c, running, sniffedFile, sources));
    const replay = await _acceptedKnocks(c, running, o.sniffedKnocks);
    c.log(`${c.sut.name}: replay pool: ${replay.accepted} of ${replay.sent} real knocks accepted`);
    const replayed = report('replayed copies', await _run(c, running, replay.file, sources));

    await sleep(2000);
    c.figures.informed = {
      oneSource,
      unknownTag,
      sniffedTag,
      replayed,
      sources: sources.length,
      poolSize: o.informedPool,
      sniffedKnocks: o.sniffedKnocks,
      replayPool: { sent: replay.sent, accepted: replay.accepted },
      memoryBefore,
      memoryAfter: await readMemory(running.pid),
    } satisfies InformedFloodResult;
  });
}

/**
 * `count` real knocks, each from a fresh client address (signed into it, as `spa-client open` does by
 * default), sent at once and granted: the datagrams an observer copies and resends.
 */
async function _acceptedKnocks(
  c: PhaseContext,
  running: RunningServer,
  count: number,
): Promise<ReplayPool & { readonly file: string }> {
  const knocks = await buildKnocks(running, await c.pool.take(count));
  const before = running.grantTimes().length;
  await c.prober.burst(knocks, running.knockAddress, running.knockPort, 0);
  const end = Date.now() + REPLAY_POOL_MAX_MS;
  let seen = before;
  let lastChange = Date.now();
  while (Date.now() < end && running.grantTimes().length - before < count) {
    await sleep(50);
    const now = running.grantTimes().length;
    if (now !== seen) {
      seen = now;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= REPLAY_POOL_QUIET_MS) break;
  }
  const accepted = running.grantTimes().length - before;
  if (accepted < count) {
    // A knock that was not accepted is not a replay: its first copy would be granted instead.
    c.log(`${c.sut.name}: only ${accepted} of ${count} replay-pool knocks were granted; figure 3c is off`);
  }
  const file = join(c.env.workDir, 'replayed.bin');
  await writeDatagramPool(
    file,
    knocks.map((k) => k.packet),
  );
  return { sent: count, accepted, file };
}

async function _run(
  c: PhaseContext,
  running: RunningServer,
  poolFile: string,
  sources: readonly string[] | undefined,
): Promise<InformedRun> {
  const before = (await running.counters?.()) ?? {};
  const watch = watchPeakRss(running.pid);
  const flood = (ms: number) =>
    floodOptions(c, running, 'pool', ms, { poolFile, ...(sources ? { sources } : {}) });
  const cost = await knocksDuringFlood(c, running, flood);
  const peakRssKiB = await watch.stop();
  const after = (await running.counters?.()) ?? {};
  const counters: Record<string, number> = {};
  for (const [name, value] of Object.entries(after)) {
    const moved = value - (before[name] ?? 0);
    if (moved !== 0 && name.includes('_total')) counters[name] = moved;
  }
  return { cost, counters, peakRssKiB };
}

function _describe(r: InformedRun): string {
  const d = r.cost.during;
  const refused = Object.entries(r.counters)
    .filter(([name]) => name.startsWith('spa_knocks_refused_total'))
    .map(([name, n]) => `${/reason="([^"]+)"/.exec(name)?.[1] ?? name} ${n}`)
    .join(', ');
  return (
    `${d.attempted - d.failures}/${d.attempted} knocks opened, p50 ${d.summary.p50.toFixed(2)} ms; ` +
    `${Math.round(r.cost.flood.ratePerS)}/s offered, ${r.cost.delivered} read, ` +
    `${r.cost.cpuPerDatagramUs.toFixed(2)} µs CPU each; refused: ${refused || 'none'}`
  );
}
