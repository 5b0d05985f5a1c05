/** Figure 6 under load: memory after 100,000 accepted knocks, each granting an address of its own. @module */
import { parseAddress } from 'spa-protocol';
import { EXPIRY_PROBES, measureBulkExpiry } from './bulk-expiry.js';
import {
  bulkDurationAt,
  bulkEndMs,
  bulkSendDeadlineMs,
  WARMUP_DURATION_S,
  WARMUP_KNOCKS,
} from './bulk-schedule.js';
import { epochMs, sleep } from './clock.js';
import { readMemory, watchPeakRss } from './cpu-mem.js';
import type { BulkGrantsResult } from './figures.js';
import { type PhaseContext, withServer } from './phase-context.js';
import type { RunningServer } from './server-under-test.js';
import { diffUdpCounters, readUdpCounters } from './udp-counters.js';

/** A knock is given up as lost when no grant at all has appeared for this long. */
const STALL_MS = 3000;
/** The warm-up's delivery, at most. */
const WARMUP_LIMIT_MS = 5 * 60_000;

/** The i-th granted address: alternately IPv4 (100.64.0.0/10) and IPv6 (2001:db8:b::/64), never sending. */
export function bulkAddress(i: number): string {
  const n = i >> 1;
  const text =
    i % 2 === 0
      ? `100.${64 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`
      : `2001:db8:b::${(n >> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  // Knocks carry canonical text (RFC 5952 for IPv6).
  return parseAddress(text)!.text;
}

/**
 * Measures the delivery rate on a warm-up, then sends `bulkKnocks` knocks, each built just before it
 * goes and asking for a duration that ends at one common moment (bulk-schedule.ts), keeping at most one
 * chunk in flight (under the server's queue bound, so none is refused as queue-full). At the end of the
 * delivery every grant is still in the firewall. Does nothing for a server without knocksFor.
 */
export async function measureBulkGrants(c: PhaseContext): Promise<void> {
  const { o } = c;
  c.log(`${c.sut.name}: ${o.bulkKnocks} accepted knocks, one address each, both families`);
  const phaseStartedAt = epochMs();
  await withServer(c, { accessTimeoutS: 3600, bulk: true }, async (running) => {
    const knocksFor = running.knocksFor?.bind(running);
    if (!knocksFor) {
      c.log(`${c.sut.name}: no bulk knocks for this server; figure 6 (bulk) skipped`);
      return;
    }
    await sleep(1000);
    const memoryIdle = await readMemory(running.pid);
    const n = o.bulkKnocks;
    // The warm-up: addresses past the probes', short grants; its rate plans the bulk's common end.
    const warmupFirst = n + EXPIRY_PROBES;
    const warmup = await knocksFor(
      Array.from({ length: WARMUP_KNOCKS }, (_, i) => bulkAddress(warmupFirst + i)),
      Array.from({ length: WARMUP_KNOCKS }, () => WARMUP_DURATION_S),
    );
    const warmupBefore = running.grantTimes().length;
    const warm = await _deliver(
      c,
      running,
      WARMUP_KNOCKS,
      Date.now() + WARMUP_LIMIT_MS,
      async (from, count) => warmup.slice(from, from + count),
    );
    const warmTimes = running.grantTimes().slice(warmupBefore);
    const warmupPerS =
      (warmTimes.length * 1000) / ((warmTimes[warmTimes.length - 1] ?? Number.NaN) - warm.firstSentAt);
    await sleep((WARMUP_DURATION_S + 2) * 1000);
    const endMs = bulkEndMs(epochMs(), n, warmupPerS);
    c.log(
      `${c.sut.name}: warm-up ${warmupPerS.toFixed(0)} accepted/s; bulk grants end at ` +
        `${new Date(endMs).toISOString()}; sending`,
    );
    let buildMs = 0;
    const build = async (from: number, count: number): Promise<Uint8Array[]> => {
      const at = epochMs();
      const duration = bulkDurationAt(at, endMs);
      const built = await knocksFor(
        Array.from({ length: count }, (_, i) => bulkAddress(from + i)),
        Array.from({ length: count }, () => duration),
      );
      buildMs += epochMs() - at;
      return built;
    };
    const udp0 = await readUdpCounters(c.env.server);
    const before = running.grantTimes().length;
    const watch = watchPeakRss(running.pid, 500);
    // The plan is on epochMs(); _deliver reads Date.now(): the same clock, to the millisecond.
    const sent = await _deliver(c, running, n, bulkSendDeadlineMs(endMs), build);
    const udp = diffUdpCounters(udp0, await readUdpCounters(c.env.server));
    await sleep(1000);
    const memoryAfter = await readMemory(running.pid);
    const times = running.grantTimes().slice(before);
    const last = times[times.length - 1] ?? Number.NaN;
    const spanMs = last - sent.firstSentAt;
    const status = await running.liveGrants?.();
    const liveGrants = status?.count;
    const statusMs = status?.ms;
    c.log(
      `${c.sut.name}: status --json listed ${liveGrants ?? '—'} grants in ${statusMs} ms` +
        (status?.shapeFrom === undefined ? '' : `, the table's shape from the ${status.shapeFrom}`) +
        (status?.parseMs === undefined ? '' : ` (the bench then parsed its output in ${status.parseMs} ms)`),
    );
    const counters = await _countersPatiently(c, running);
    const memoryLater = await sleep(15_000).then(() => readMemory(running.pid));
    // Right after the burst the daemon is still checking the table the burst changed; 15 s on it has
    // settled, as it is for most reads of status: both are figures.
    const statusLater = await running.liveGrants?.();
    c.log(
      `${c.sut.name}: 15 s later, status --json listed ${statusLater?.count ?? '—'} grants in ` +
        `${statusLater?.ms ?? '—'} ms, the table's shape from the ${statusLater?.shapeFrom ?? '—'}`,
    );
    // Built now, not at the start: a phase planned on a slow warm-up outlasts the timestamp window
    // (1800 s); in run 2026-11-30T15-30 every probe, built 48 min before, was lost.
    const probes = await knocksFor(Array.from({ length: EXPIRY_PROBES }, (_, i) => bulkAddress(n + i)));
    const expiry = await measureBulkExpiry(c, running, times.length, probes, endMs);
    // Over the whole phase: delivery, status with every grant live, and their expiry.
    const peakRssKiB = await watch.stop();
    c.figures.bulk = {
      offered: n,
      unsent: sent.unsent,
      accepted: times.length,
      lost: sent.lost,
      dropped: udp.rcvbufErrors,
      buildMs,
      spanMs,
      acceptedPerS: (times.length * 1000) / spanMs,
      warmupPerS,
      endsAt: new Date(endMs).toISOString(),
      liveGrants,
      counters,
      ...(running.errors ? { errors: running.errors() } : {}),
      memoryIdle,
      memoryAfter,
      memoryLater,
      peakRssKiB,
      ...(statusMs === undefined ? {} : { statusMs }),
      ...(status?.shapeFrom === undefined ? {} : { statusShapeFrom: status.shapeFrom }),
      ...(statusLater === undefined ? {} : { statusLaterMs: statusLater.ms }),
      ...(statusLater?.shapeFrom === undefined ? {} : { statusLaterShapeFrom: statusLater.shapeFrom }),
      ...(expiry ? { expiry } : {}),
      phaseS: (epochMs() - phaseStartedAt) / 1000,
    } satisfies BulkGrantsResult;
    for (const [kind, { count, first }] of Object.entries(running.errors?.() ?? {}))
      c.log(`${c.sut.name}: logged ${count} × ${kind}, the first: ${first}`);
    c.log(
      `${c.sut.name}: ${times.length} accepted in ${(spanMs / 1000).toFixed(1)} s; RSS ` +
        `${(memoryIdle.rssKiB / 1024).toFixed(1)} → ${(memoryAfter.rssKiB / 1024).toFixed(1)} MiB, peak ` +
        `${(peakRssKiB / 1024).toFixed(1)}; status ${statusMs} ms; expiry stall ${expiry?.stallMs ?? '—'} ms`,
    );
  });
}

/** Metrics after status: a busy daemon may answer late, which costs the figure its counters, not the run. */
async function _countersPatiently(c: PhaseContext, running: RunningServer): Promise<Record<string, number>> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return (await running.counters?.()) ?? {};
    } catch {
      c.log(`${c.sut.name}: metrics unanswered after status (attempt ${attempt} of 3)`);
      await sleep(2000);
    }
  }
  return {};
}

/**
 * Builds and sends half a chunk whenever no more than half a chunk is outstanding; gives up on stalls.
 * Sends nothing after `sendUntilMs` (Date.now() clock): what was not sent by then is `unsent`.
 */
async function _deliver(
  c: PhaseContext,
  running: RunningServer,
  total: number,
  sendUntilMs: number,
  build: (from: number, count: number) => Promise<Uint8Array[]>,
): Promise<{ firstSentAt: number; lost: number; unsent: number }> {
  const step = Math.max(1, Math.floor(c.o.bulkChunk / 2));
  const before = running.grantTimes().length;
  const granted = (): number => running.grantTimes().length - before;
  let next = 0;
  let lost = 0;
  let firstSentAt = Number.NaN;
  let progressAt = Date.now();
  let seen = 0;
  let end = total;
  while (granted() + lost < end) {
    if (end === total && next < total && Date.now() > sendUntilMs) {
      end = next;
      c.log(`${c.sut.name}: ${total - next} knocks left unsent: past the plan's last sending moment`);
      continue;
    }
    if (next < end && next - granted() - lost <= step) {
      const batch = await build(next, Math.min(step, end - next));
      const r = await c.prober.send(c.env.client.ipv4, batch, running.knockAddress, running.knockPort);
      if (Number.isNaN(firstSentAt)) firstSentAt = r.firstSentAt;
      next += batch.length;
      continue;
    }
    await sleep(5);
    if (granted() !== seen) {
      seen = granted();
      progressAt = Date.now();
    } else if (Date.now() - progressAt > STALL_MS) {
      lost += next - granted() - lost;
      progressAt = Date.now();
    }
  }
  return { firstSentAt, lost, unsent: total - end };
}
