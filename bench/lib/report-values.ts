/** Derived figures for the report's rows: rates, shares and unit conversions of raw results. @module */

import type { InformedRun, ServerFigures } from './figures.js';
import type { JunkCost } from './flood.js';
import type { LatencyResult } from './latency.js';

/** The largest of some KiB readings, in MiB; no value if any is missing. */
export function maxMiB(...kib: (number | undefined)[]): number | undefined {
  if (kib.length === 0 || kib.some((k) => k === undefined)) return undefined;
  return Math.max(...(kib as number[])) / 1024;
}

/** One row of the report's table: label, how to read the figure from a server's results, digits. */
export interface Row {
  readonly label: string;
  readonly get: (f: ServerFigures) => number | undefined;
  readonly digits: number;
}

const REFUSED = 'spa_knocks_refused_total';

/** Datagrams the server refused for `reason` during the run (its metrics; 0 if the counter never moved). */
export function refusedOf(run: InformedRun | undefined, reason: string): number | undefined {
  return run && (run.counters[`${REFUSED}{reason="${reason}"}`] ?? 0);
}

/** Datagrams refused for any reason but `reason` during the run: the JSON's counters say which. */
export function otherRefusalsOf(run: InformedRun | undefined, reason: string): number | undefined {
  if (!run) return undefined;
  let total = 0;
  for (const [name, n] of Object.entries(run.counters)) if (name.startsWith(REFUSED)) total += n;
  return total - (refusedOf(run, reason) ?? 0);
}

/** Datagrams/s the server's socket delivered to it during a flood. */
export function readRateOf(j: JunkCost<unknown> | undefined): number | undefined {
  return j && (j.delivered * 1000) / j.flood.elapsedMs;
}

/** Share of the datagrams that reached the socket and were dropped because its buffer was full. */
export function dropPctOf(j: JunkCost<unknown> | undefined): number | undefined {
  return j && pctOf(j.dropped, j.dropped + j.delivered);
}

/** CPU per datagram read, µs, counting the children the server ran (fwknopd's iptables). */
export function withChildrenOf(j: JunkCost<unknown> | undefined): number | undefined {
  return j && j.delivered > 0 ? ((j.cpuMs + j.childrenCpuMs) * 1000) / j.delivered : undefined;
}

/** Share of attempted knocks that opened the port at all. */
export function successPctOf(l: LatencyResult | undefined): number | undefined {
  return l && pctOf(l.attempted - l.failures, l.attempted);
}

/** Share of attempted knocks that opened within `ms` (failures count as not). */
export function withinOf(l: LatencyResult | undefined, ms: number): number | undefined {
  return l && pctOf(l.samples.filter((x) => x <= ms).length, l.attempted);
}

/** part / whole in percent; no value without a whole. */
export function pctOf(part: number | undefined, whole: number | undefined): number | undefined {
  return part === undefined || !whole ? undefined : (part * 100) / whole;
}

/** KiB to MiB. */
export function mib(kib: number | undefined): number | undefined {
  return kib === undefined ? undefined : kib / 1024;
}

/** Milliseconds to seconds. */
export function sec(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/** Share of the datagrams sent that never reached the socket: dropped before it (e.g. a per-source limit). */
export function filteredPctOf(j: JunkCost<unknown> | undefined): number | undefined {
  return j && pctOf(j.flood.sent - j.delivered - j.dropped, j.flood.sent);
}

/** Server CPU over every datagram sent, µs: what a flood at this rate costs the server, filtered or not. */
export function cpuPerSentOf(j: JunkCost<unknown> | undefined): number | undefined {
  return j && j.flood.sent > 0 ? (j.cpuMs * 1000) / j.flood.sent : undefined;
}
