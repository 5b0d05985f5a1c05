/** Figure 3: legitimate knocks while an attacker who knows the server's public key floods it with forged knocks. @module */
import { join } from 'node:path';
import { sleep } from './clock.js';
import { readMemory, watchPeakRss } from './cpu-mem.js';
import type { InformedFloodResult, InformedRun } from './figures.js';
import { writeDatagramPool } from './flood.js';
import { knocksDuringFlood } from './junk-flood.js';
import { floodOptions, type PhaseContext, withServer } from './phase-context.js';
import type { RunningServer } from './server-under-test.js';

/** Runs both informed floods against one server start; does nothing for a server without forgedKnocks. */
export async function measureInformedFlood(c: PhaseContext): Promise<void> {
  const { o } = c;
  c.log(`${c.sut.name}: informed floods (forged knocks), one source and ${c.spoofed.length} sources`);
  await withServer(c, { accessTimeoutS: o.accessTimeoutS }, async (running) => {
    if (!running.forgedKnocks) {
      c.log(`${c.sut.name}: no forged knocks for this server; figure 3 skipped`);
      return;
    }
    await sleep(1000);
    const memoryBefore = await readMemory(running.pid);
    const poolFile = join(c.env.workDir, 'forged.bin');
    await writeDatagramPool(poolFile, await running.forgedKnocks(o.informedPool));
    const sources = c.spoofed;
    const oneSource = await _run(c, running, poolFile, undefined);
    c.log(`${c.sut.name}: informed, one source: ${_describe(oneSource)}`);
    const spoofed = await _run(c, running, poolFile, sources);
    c.log(`${c.sut.name}: informed, ${sources.length} sources: ${_describe(spoofed)}`);
    await sleep(2000);
    const memoryAfter = await readMemory(running.pid);
    c.figures.informed = {
      oneSource,
      spoofed,
      sources: sources.length,
      memoryBefore,
      memoryAfter,
    } satisfies InformedFloodResult;
  });
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
  return (
    `${d.attempted - d.failures}/${d.attempted} knocks opened, p50 ${d.summary.p50.toFixed(2)} ms; ` +
    `${Math.round(r.cost.flood.ratePerS)} forged/s offered, ${r.cost.cpuPerDatagramUs.toFixed(2)} µs CPU each`
  );
}
