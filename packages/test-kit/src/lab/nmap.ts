/** Port states as nmap (a real scanner, run as root inside a lab host) reports them: SYN scan for TCP, UDP scan for UDP. @module */
import type { Host } from './netns.js';

/** nmap's words: open, closed, filtered, open|filtered, unfiltered, closed|filtered. */
export type NmapState = string;

export interface ScanTarget {
  readonly tcp?: readonly number[];
  readonly udp?: readonly number[];
}

/**
 * Scans `address` from `from` and returns `{ 'tcp/22': 'filtered', 'udp/62201': 'open|filtered' }`.
 * Timing is tight (one retry, -T4) because lab round trips are sub-millisecond.
 */
export async function nmapScan(
  from: Host,
  address: string,
  target: ScanTarget,
): Promise<Record<string, NmapState>> {
  const tcp = target.tcp ?? [];
  const udp = target.udp ?? [];
  const ports = [...tcp.map((p) => `T:${p}`), ...udp.map((p) => `U:${p}`)].join(',');
  const args = [
    '-Pn',
    '-n',
    ...(tcp.length > 0 ? ['-sS'] : []),
    ...(udp.length > 0 ? ['-sU'] : []),
    ...(address.includes(':') ? ['-6'] : []),
    ...['-p', ports, '--max-retries', '1', '--host-timeout', '10s', '-T4', '-oX', '-', address],
  ];
  const { stdout } = await from.exec('nmap', args);
  const states: Record<string, NmapState> = {};
  for (const match of String(stdout).matchAll(
    /<port protocol="(tcp|udp)" portid="(\d+)"><state state="([a-z|]+)"/g,
  )) {
    states[`${match[1]}/${match[2]}`] = match[3]!;
  }
  const expected = [...tcp.map((p) => `tcp/${p}`), ...udp.map((p) => `udp/${p}`)];
  const missing = expected.filter((key) => !(key in states));
  if (missing.length > 0)
    throw new Error(`nmap reported no state for ${missing.join(', ')}:\n${String(stdout)}`);
  return states;
}
