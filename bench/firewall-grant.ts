/** Cost of one grant: the drivers' long-lived nft/ipset process against a fresh process per grant, in a throwaway namespace. `pnpm exec tsx --conditions=source bench/firewall-grant.ts`. @module */
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { type FirewallDriver, type Grant, IptablesDriver, NftablesDriver } from 'spa-server/firewall';
import { installSignalHandlers, onCleanup, runCleanups } from './lib/cleanup.js';
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
async function burst(how: string, driver: FirewallDriver): Promise<Row> {
  const start = performance.now();
  await Promise.all(Array.from({ length: COUNT }, (_, i) => driver.grant([grantAt(COUNT + i)])));
  const ms = performance.now() - start;
  return { how, n: COUNT, p50Ms: Number.NaN, p95Ms: Number.NaN, perS: COUNT / (ms / 1000) };
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
  rows.push(await burst('nft: long-lived nft -i, all at once', nft));
  rows.push(
    await serial('nft: fresh `nft add element` per grant', FRESH_COUNT, (g) =>
      inNs('nft', [
        'add',
        'element',
        'inet',
        'spa_bench',
        'allow4',
        `{ ${g.address} . tcp . 22 timeout 60s }`,
      ]),
    ),
  );
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
