/** Knock → TCP-accept latency: N knocks, each from a fresh source address, timed by the client-side prober. @module */
import { sleep } from './clock.js';
import type { Prober } from './prober.js';
import type { RunningServer } from './server-under-test.js';
import { type Summary, summarize } from './stats.js';

export interface PreparedKnock {
  readonly from: string;
  readonly packet: Uint8Array;
}

export interface LatencyOptions {
  readonly tcpPort: number;
  /** Pause after each knock, so grants from earlier knocks expire and the rule count stays steady. */
  readonly gapMs: number;
  readonly timeoutMs: number;
  readonly intervalMs: number;
}

export interface LatencyResult {
  readonly attempted: number;
  /** Knocks after which the port never accepted within timeoutMs. */
  readonly failures: number;
  /** Latencies of the successful knocks, ms, in knock order. */
  readonly samples: number[];
  readonly summary: Summary;
  /**
   * Knock sent → the server's grant log line read by the benchmark, ms (the server's own part, plus a
   * pipe read); the rest of a sample is the probe's. Only knocks whose grant line was seen.
   */
  readonly serverSamples: number[];
  readonly serverSummary: Summary;
}

/**
 * Builds one knock per address before any timing starts (two builders at a time), so the client
 * program's start-up and key handling never overlap the measured interval nor steal CPU from the server.
 */
export async function buildKnocks(
  server: RunningServer,
  addresses: readonly string[],
): Promise<PreparedKnock[]> {
  const knocks: PreparedKnock[] = new Array(addresses.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < addresses.length) {
      const i = next++;
      const from = addresses[i]!;
      knocks[i] = { from, packet: await server.knock(from) };
    }
  };
  await Promise.all([worker(), worker()]);
  return knocks;
}

/**
 * Sends the knocks one after another; latency runs from just before the datagram is handed to the kernel
 * to the first completed TCP handshake from the same address (see prober-agent.mjs for the resolution).
 */
export async function measureKnockLatency(
  prober: Prober,
  server: RunningServer,
  knocks: readonly PreparedKnock[],
  options: LatencyOptions,
): Promise<LatencyResult> {
  const samples: number[] = [];
  const serverSamples: number[] = [];
  let failures = 0;
  for (const k of knocks) {
    const grantsBefore = server.grantTimes().length;
    const outcome = await prober.knock({
      from: k.from,
      packet: k.packet,
      to: server.knockAddress,
      udpPort: server.knockPort,
      tcpPort: options.tcpPort,
      timeoutMs: options.timeoutMs,
      intervalMs: options.intervalMs,
    });
    if (outcome.latencyMs === null) failures++;
    else samples.push(outcome.latencyMs);
    await sleep(options.gapMs);
    // Read after the gap: the log line may come after the port already accepts.
    const grantedAt = server.grantTimes()[grantsBefore];
    if (grantedAt !== undefined) serverSamples.push(grantedAt - outcome.sentAt);
  }
  return {
    attempted: knocks.length,
    failures,
    samples,
    summary: summarize(samples),
    serverSamples,
    serverSummary: summarize(serverSamples),
  };
}
