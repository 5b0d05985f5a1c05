/** Figure 6's idle memory alone: spa-server started as `pnpm bench` starts it, VmRSS read after seconds idle. `pnpm bench:idle`. @module */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab } from 'spa-test-kit/lab/netns';
import { readMemory } from './lib/cpu-mem.js';
import type { BenchEnv } from './lib/server-under-test.js';
import { createSpaServer } from './lib/spa-server.js';

/*
 * `pnpm bench` reads the daemon's memory 1 s after it says it listens, once per run; this repeats only
 * that, BENCH_RUNS (3) times, each start in a throwaway lab with the bench's stock nftables config, read
 * at each of BENCH_IDLE_S (seconds since ready, "1,6"). BENCH_SERVER_NODE_FLAGS and the environment
 * (MALLOC_ARENA_MAX, say) reach the daemon as in `pnpm bench`. Bundles first, as the bench does.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const IDLE_S = (process.env.BENCH_IDLE_S ?? '1,6').split(',').map(Number);
const MIB = 1024;

const sut = createSpaServer();
await sut.prepare?.();
for (let run = 0; run < RUNS; run++) {
  const lab = await createLab(['server', 'client']);
  const workDir = await mkdtemp(join(tmpdir(), 'spa-idle-'));
  try {
    const env: BenchEnv = {
      lab,
      server: lab.host('server'),
      client: lab.host('client'),
      workDir,
      protectedPort: 22,
    };
    const running = await sut.start(env, { accessTimeoutS: 30 });
    try {
      let waitedS = 0;
      for (const s of IDLE_S) {
        await new Promise((r) => setTimeout(r, (s - waitedS) * 1000));
        waitedS = s;
        const mem = await readMemory(running.pid);
        // Anonymous memory is the V8 heap and malloc's; the rest of VmRSS is mostly the node binary's pages.
        const rollup = await readFile(`/proc/${running.pid}/smaps_rollup`, 'utf8');
        const anon = Number(/^Anonymous:\s+(\d+) kB/m.exec(rollup)?.[1]);
        console.log(
          `run ${run} +${s} s: VmRSS ${(mem.rssKiB / MIB).toFixed(1)} MiB, anonymous ${(anon / MIB).toFixed(1)} MiB, Pss ${(mem.pssKiB / MIB).toFixed(1)} MiB`,
        );
      }
    } finally {
      await running.stop();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
    await lab.destroy();
  }
}
