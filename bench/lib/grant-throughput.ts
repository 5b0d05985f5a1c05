/** Sustained grants/s: many valid knocks from distinct addresses at once, grants counted as the server logs them. @module */

import type { Host } from 'spa-test-kit/lab/netns';
import { sleep } from './clock.js';
import type { PreparedKnock } from './latency.js';
import type { Prober } from './prober.js';
import type { RunningServer } from './server-under-test.js';
import { diffUdpCounters, readUdpCounters } from './udp-counters.js';

export interface GrantThroughputOptions {
  /** Offered rate, knocks/s; 0 sends them back to back. */
  readonly ratePerS: number;
  /** The phase ends once no grant has appeared for this long... */
  readonly quietMs: number;
  /** ...or after this long in all. */
  readonly maxWaitMs: number;
}

export interface GrantThroughputResult {
  readonly offered: number;
  readonly granted: number;
  /** Knocks the kernel dropped because the server's receive buffer was full. */
  readonly dropped: number;
  /** Time to send all knocks, ms. */
  readonly sendMs: number;
  /** First send → last grant, ms. */
  readonly spanMs: number;
  /** granted / spanMs: the rate at which the server turned queued knocks into firewall rules. */
  readonly grantsPerS: number;
}

/**
 * Sends every knock (each from its own address) and waits for the grants to stop coming. With the
 * queue never empty while grants are being made, granted / (last grant - first send) is the server's
 * sustained grant rate; knocks it could not queue are counted as dropped, not silently ignored.
 */
export async function measureGrantThroughput(
  prober: Prober,
  server: RunningServer,
  serverHost: Host,
  knocks: readonly PreparedKnock[],
  options: GrantThroughputOptions,
): Promise<GrantThroughputResult> {
  const before = server.grantTimes().length;
  const udp0 = await readUdpCounters(serverHost);
  const sent = await prober.burst(knocks, server.knockAddress, server.knockPort, options.ratePerS);
  const end = sent.firstSentAt + options.maxWaitMs;
  let seen = server.grantTimes().length;
  let lastChange = Date.now();
  while (Date.now() < end && server.grantTimes().length - before < knocks.length) {
    await sleep(50);
    const now = server.grantTimes().length;
    if (now !== seen) {
      seen = now;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= options.quietMs) break;
  }
  const times = server.grantTimes().slice(before);
  const udp = diffUdpCounters(udp0, await readUdpCounters(serverHost));
  const last = times[times.length - 1];
  const spanMs = last === undefined ? Number.NaN : last - sent.firstSentAt;
  return {
    offered: knocks.length,
    granted: times.length,
    dropped: udp.rcvbufErrors,
    sendMs: sent.lastSentAt - sent.firstSentAt,
    spanMs,
    grantsPerS: times.length > 0 ? (times.length * 1000) / spanMs : 0,
  };
}
