/** A lone knock's cost in the replay store: reserve() then commit() until the grant may go ahead, on the disk of the temp dir: `pnpm bench:replay` (root). @module */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplayStore } from 'spa-server/replay';
import { summarize } from './lib/stats.js';

const KNOCKS = Number(process.env.BENCH_KNOCKS ?? 300);
// Apart enough that every knock is alone: no group write to share, and the last append is done.
const GAP_MS = 5;
const KEY = new Uint8Array(16).fill(0xaa);

const dir = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'spa-bench-replay-'));
try {
  // The mark moves every second in the background, as in the daemon.
  const { store } = await ReplayStore.open({
    dir,
    windowMs: 60_000,
    futureWindowMs: 5000,
    clock: Date.now,
    markEveryMs: 1000,
  });
  const samples: number[] = [];
  for (let i = 0; i < KNOCKS; i++) {
    const nonce = new Uint8Array(16);
    new DataView(nonce.buffer).setUint32(0, i);
    const started = process.hrtime.bigint();
    const now = Date.now();
    store.reserve(KEY, nonce, now);
    const verdict = await store.commit(KEY, nonce, now);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (verdict) throw new Error(`knock ${i} refused: ${verdict}`);
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  await store.close();
  const s = summarize(samples);
  const ms = (v: number) => `${v.toFixed(3)} ms`;
  console.log(
    `replay commit, lone knock (${dir}): n=${s.n} p50 ${ms(s.p50)} p95 ${ms(s.p95)} p99 ${ms(s.p99)} max ${ms(s.max)} mean ${ms(s.mean)}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
