/** Fresh client source addresses from the benchmarking range 198.18.0.0/15 (RFC 2544), one per grant. @module */
import type { Host } from 'spa-test-kit/lab/netns';

/**
 * RFC 2544 reserves 198.18.0.0/15 for benchmarks; it only ever exists inside the lab's namespaces. The
 * client's knocks take 198.18.0.0/16 by default; 198.19.0.0/16 is left for flood sources (OUTSIDER_RANGE).
 */
const BENCH_NET = '198.18.0.0/15';
const BENCH_BASE = ((198 << 24) | (18 << 16)) >>> 0;
const BENCH_SIZE = 1 << 17;

/** The part of the range for spoofed flood sources on the outsider (figure 3). */
export const OUTSIDER_RANGE = { first: BENCH_SIZE / 2 + 1, end: BENCH_SIZE } as const;

export interface AliasPool {
  /** Adds `n` never-used /32 addresses to the client's eth0 and returns them. */
  take(n: number): Promise<string[]>;
}

/**
 * Every knock gets a source address of its own so it is a new grant (not a refresh of an existing
 * rule), and the next knock never finds the port already open. The server gets an on-link route to the
 * range, so its SYN-ACKs reach the aliases through ARP like any neighbour's.
 */
export async function createAliasPool(
  client: Host,
  server: Host,
  range: { readonly first: number; readonly end: number } = { first: 1, end: BENCH_SIZE / 2 },
): Promise<AliasPool> {
  // `replace`: a second pool (another host, another part of the range) shares the one route.
  await server.exec('ip', ['route', 'replace', BENCH_NET, 'dev', 'eth0']);
  let next = range.first;
  return {
    async take(n) {
      const addresses: string[] = [];
      while (addresses.length < n) {
        if (next >= range.end)
          throw new Error(`alias pool ${BENCH_NET} [${range.first}, ${range.end}) exhausted`);
        const value = BENCH_BASE + next++;
        const last = value & 0xff;
        // .0 and .255 are valid as /32s but confuse readers of captures; skip them.
        if (last === 0 || last === 255) continue;
        addresses.push([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, last].join('.'));
      }
      // One `ip -batch` process for all of them: a spawn per address would cost ~3 ms each.
      const batch = addresses.map((a) => `addr add ${a}/32 dev eth0`).join('\n');
      await client.exec('ip', ['-batch', '-'], { input: `${batch}\n` });
      return addresses;
    },
  };
}
