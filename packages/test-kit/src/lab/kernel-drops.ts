/** What the kernel's knock gate and per-source limit dropped in a lab host (spa-server with nftables), read from the named nft counters. @module */
import type { Host } from './netns.js';

/** The counters by the reason the metrics endpoint reports them under (spa_kernel_dropped_total). */
const REASONS: Readonly<Record<string, string>> = {
  knock_flood: 'source-flood',
  knock_size: 'size',
  knock_tag: 'unknown-client',
  knock_spent: 'replay',
};

/** Packets dropped per reason since the table was made; {} without an nftables table. */
export async function kernelDrops(host: Host): Promise<Record<string, number>> {
  const { stdout } = await host.exec('nft', ['-j', 'list', 'counters']);
  const drops: Record<string, number> = {};
  const items = (
    JSON.parse(String(stdout)) as { nftables?: { counter?: { name: string; packets: number } }[] }
  ).nftables;
  for (const { counter } of items ?? []) {
    const reason = counter && REASONS[counter.name];
    if (reason) drops[reason] = (drops[reason] ?? 0) + counter.packets;
  }
  return drops;
}

/** Polls until the kernel counted more `reason` drops than `before` (from an earlier kernelDrops). */
export async function waitForKernelDrop(
  host: Host,
  reason: string,
  before: Readonly<Record<string, number>>,
  timeoutMs = 5000,
): Promise<Record<string, number>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const now = await kernelDrops(host);
    if ((now[reason] ?? 0) > (before[reason] ?? 0)) return now;
    if (Date.now() > end) throw new Error(`the kernel counted no ${reason} drop: ${JSON.stringify(now)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
