/** Cost of one grant and of a burst: the drivers' long-lived nft/ipset process against the other ways of feeding nft, in a throwaway namespace. `pnpm exec tsx --conditions=source bench/firewall-grant.ts`. @module */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { type FirewallDriver, type Grant, IptablesDriver, NftablesDriver } from 'spa-server/firewall';
import { installSignalHandlers, onCleanup, runCleanups } from './lib/cleanup.js';
import {
  type Feed,
  freshFile,
  freshJsonArg,
  freshJsonFile,
  freshStdinFd,
  interactiveLines,
} from './lib/nft-feeds.js';
import { summarize } from './lib/stats.js';

/** Grants per serial run (latency) and per pipelined burst (throughput). */
const COUNT = Number(process.env.BENCH_GRANTS ?? 2000);
/** A fresh process per grant is slow: fewer samples give the same precision. */
const FRESH_COUNT = Math.min(COUNT, 300);

interface Row {
  readonly how: string;
  readonly n: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly perS: number;
}

function grantAt(i: number): Grant {
  // Distinct addresses, so every grant adds an element (the daemon's usual case).
  return {
    family: 4,
    address: `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
    protocol: 'tcp',
    port: 22,
    timeoutSeconds: 60,
    client: 'bench',
  };
}

/** One grant at a time, each awaited: the latency a single knock sees. */
async function serial(how: string, n: number, grant: (g: Grant) => Promise<unknown>): Promise<Row> {
  for (let i = 0; i < 20; i++) await grant(grantAt(COUNT * 3 + i)); // warm-up
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await grant(grantAt(i));
    samples.push(performance.now() - t);
  }
  const s = summarize(samples);
  return { how, n, p50Ms: s.p50, p95Ms: s.p95, perS: n / ((performance.now() - start) / 1000) };
}

/** Every grant issued at once: the rate a burst of knocks is turned into elements. */
async function burst(how: string, driver: FirewallDriver, base = COUNT): Promise<Row> {
  return timedBurst(how, () =>
    Promise.all(Array.from({ length: COUNT }, (_, i) => driver.grant([grantAt(base + i)]))),
  );
}

/** The burst's grants handed over in one piece (one transaction, or one write of many). */
function burstOf(how: string, base: number, apply: (grants: readonly Grant[]) => Promise<unknown>) {
  return timedBurst(how, () => apply(Array.from({ length: COUNT }, (_, i) => grantAt(base + i))));
}

async function timedBurst(how: string, run: () => Promise<unknown>): Promise<Row> {
  const start = performance.now();
  await run();
  const ms = performance.now() - start;
  return { how, n: COUNT, p50Ms: Number.NaN, p95Ms: Number.NaN, perS: COUNT / (ms / 1000) };
}

/** Serial grants through a fresh process per grant, each grant its own addresses block. */
function fresh(how: string, block: number, feed: Feed): Promise<Row> {
  return serial(how, FRESH_COUNT, (g) => feed([{ ...g, address: blockAddress(block, g.address) }]));
}

/** Moves an address of grantAt() into block `block` (10.200+block.x.y), so no feed extends another's element. */
function blockAddress(block: number, address: string): string {
  return address.replace(/^10\.\d+\./, `10.${200 + block}.`);
}

async function main(): Promise<void> {
  installSignalHandlers();
  const ns = `spab-${randomBytes(3).toString('hex')}`;
  await execa('ip', ['netns', 'add', ns]);
  onCleanup(async () => {
    await execa('ip', ['netns', 'del', ns], { reject: false });
  });
  const inNs = (file: string, args: readonly string[]) => execa('ip', ['netns', 'exec', ns, file, ...args]);
  const rows: Row[] = [];

  const nft = new NftablesDriver({ table: 'spa_bench', netns: ns });
  onCleanup(() => nft.close());
  await nft.setup([{ protocol: 'tcp', port: 22 }]);
  rows.push(await serial('nft: long-lived nft -i (driver)', COUNT, (g) => nft.grant([g])));
  rows.push(await burst('nft: driver, all at once (merged)', nft));
  const dir = await mkdtemp(join('/dev/shm', 'spa-bench-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  const lines = (perTransaction: number, includeDir?: string) => (grants: readonly Grant[]) =>
    interactiveLines(ns, 'spa_bench', grants, { perTransaction, ...(includeDir ? { includeDir } : {}) });
  rows.push(await burstOf('nft: nft -i, a transaction per grant', COUNT * 4, lines(1)));
  rows.push(await burstOf('nft: nft -i, 64 grants a line', COUNT * 7, lines(64)));
  rows.push(await burstOf('nft: nft -i, 64 grants an include', COUNT * 8, lines(64, dir)));
  rows.push(
    await burstOf('nft: fresh nft -f FILE, one transaction', COUNT * 5, freshFile(ns, 'spa_bench', dir)),
  );
  rows.push(
    await burstOf(
      'nft: fresh nft -j -f FILE, one transaction',
      COUNT * 6,
      freshJsonFile(ns, 'spa_bench', dir),
    ),
  );
  rows.push(await fresh('nft: fresh `nft -f FILE` per grant', 1, freshFile(ns, 'spa_bench', dir)));
  rows.push(await fresh('nft: fresh `nft -f -` (stdin: file fd)', 2, freshStdinFd(ns, 'spa_bench', dir)));
  rows.push(await fresh('nft: fresh `nft -j JSON` (argument)', 3, freshJsonArg(ns, 'spa_bench')));
  rows.push(await fresh('nft: fresh `nft -j -f FILE` per grant', 5, freshJsonFile(ns, 'spa_bench', dir)));
  await nft.flush();

  const ipt = new IptablesDriver({ prefix: 'spab', netns: ns });
  onCleanup(() => ipt.close());
  await ipt.setup([{ protocol: 'tcp', port: 22 }]);
  rows.push(await serial('ipset: long-lived ipset - (driver)', COUNT, (g) => ipt.grant([g])));
  rows.push(await burst('ipset: long-lived ipset -, all at once', ipt));
  rows.push(
    await serial('ipset: fresh `ipset add` per grant', FRESH_COUNT, (g) =>
      inNs('ipset', ['add', 'spab4', `${g.address},tcp:22`, 'timeout', '60', '-exist']),
    ),
  );
  await ipt.flush();

  const { stdout: kernel } = await execa('uname', ['-r']);
  process.stdout.write(`firewall grant cost, kernel ${kernel}, ${process.version}, in namespace ${ns}\n\n`);
  process.stdout.write(
    `${'how'.padEnd(44)} ${'n'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'grants/s'.padStart(10)}\n`,
  );
  for (const r of rows) {
    const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(3)).padStart(8);
    process.stdout.write(
      `${r.how.padEnd(44)} ${String(r.n).padStart(6)} ${ms(r.p50Ms)} ${ms(r.p95Ms)} ${r.perS.toFixed(0).padStart(10)}\n`,
    );
  }
}

try {
  await main();
} finally {
  await runCleanups();
}
