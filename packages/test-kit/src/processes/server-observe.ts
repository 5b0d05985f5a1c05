/** What a test sees of a running spa-server from outside: its Prometheus counters and its resident memory. @module */
import { readFile } from 'node:fs/promises';
import type { Host } from '../lab/netns.js';

/** The counters of GET /metrics (packages/spa-server/src/observability/metrics.ts), by their Prometheus names. */
export interface ScrapedMetrics {
  readonly received: number;
  readonly accepted: number;
  readonly closed: number;
  readonly grants: number;
  readonly firewallFailures: number;
  readonly firewallRebuilds: number;
  readonly replayEntries: number;
  readonly logSuppressed: number;
  /** Every reason with a non-zero count. */
  readonly refused: Readonly<Record<string, number>>;
  /** Datagrams the kernel's knock gate dropped before the socket, by reason (nftables; empty otherwise). */
  readonly kernelDropped: Readonly<Record<string, number>>;
  /** Sum of `refused`. */
  readonly refusedTotal: number;
}

// Runs inside the namespace: the endpoint listens on the server's loopback.
const FETCH = `fetch(process.argv[1]).then(async (r) => process.stdout.write(await r.text()))`;

/** GET http://ADDRESS:PORT/metrics from inside `host`, parsed. */
export async function scrapeMetrics(host: Host, address: string, port: number): Promise<ScrapedMetrics> {
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`;
  const { stdout } = await host.exec(process.execPath, ['-e', FETCH, url]);
  return parsePrometheus(String(stdout));
}

export function parsePrometheus(text: string): ScrapedMetrics {
  const values = new Map<string, number>();
  const refused: Record<string, number> = {};
  const kernelDropped: Record<string, number> = {};
  const byReason: Record<string, Record<string, number>> = {
    spa_knocks_refused_total: refused,
    spa_kernel_dropped_total: kernelDropped,
  };
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable metrics line: ${line}`);
    const [, name, labels, value] = match;
    if (labels === undefined) {
      values.set(name!, Number(value));
      continue;
    }
    // Series with other labels (hooks' event and result, ...) are not read here.
    const reason = /^reason="([^"]+)"$/.exec(labels)?.[1];
    const into = byReason[name!];
    if (reason !== undefined && into && Number(value) > 0) into[reason] = Number(value);
  }
  const get = (name: string): number => {
    const v = values.get(name);
    if (v === undefined) throw new Error(`no ${name} in the metrics`);
    return v;
  };
  return {
    received: get('spa_datagrams_received_total'),
    accepted: get('spa_knocks_accepted_total'),
    closed: get('spa_knocks_closed_total'),
    grants: get('spa_grants_total'),
    firewallFailures: get('spa_firewall_failures_total'),
    firewallRebuilds: get('spa_firewall_rebuilds_total'),
    replayEntries: get('spa_replay_entries'),
    logSuppressed: get('spa_log_suppressed_total'),
    refused,
    kernelDropped,
    refusedTotal: Object.values(refused).reduce((a, b) => a + b, 0),
  };
}

/**
 * Polls until every datagram the server read has been decided (refused or accepted) and the count
 * stopped moving: the server has drained its queue.
 */
export async function waitForDrain(
  host: Host,
  address: string,
  port: number,
  timeoutMs = 30_000,
): Promise<ScrapedMetrics> {
  const end = Date.now() + timeoutMs;
  let last = await scrapeMetrics(host, address, port);
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await scrapeMetrics(host, address, port);
    const decided = now.refusedTotal + now.accepted + now.closed;
    if (decided === now.received && now.received === last.received) return now;
    if (Date.now() > end) throw new Error(`server did not drain: ${JSON.stringify(now)}`);
    last = now;
  }
}

/** VmRSS of a process in KiB, from /proc (the lab shares the machine's pid namespace). */
export async function readRssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}
