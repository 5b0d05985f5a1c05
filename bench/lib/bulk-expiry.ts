/** Figure 6, the end of the bulk grants: all expiring at about one moment, with knocks timed meanwhile. @module */
import { epochMs, sleep } from './clock.js';
import type { BulkExpiryResult } from './figures.js';
import type { PhaseContext } from './phase-context.js';
import type { RunningServer } from './server-under-test.js';
import { summarize } from './stats.js';

/** Knocks timed while the grants expire, one every PROBE_GAP_MS. */
export const EXPIRY_PROBES = 300;
const PROBE_GAP_MS = 250;
/**
 * Probing starts at least this long before the planned end, whatever the live count says: 100,000 grants built
 * just before they were sent can all end within one second (run 2026-12-01T01-07, 466 accepted/s),
 * between two reads of the count, which left no probe inside the expiry.
 */
const LEAD_MS = 3000;
/** A probe not granted within this counts as lost. */
const PROBE_TIMEOUT_MS = 5000;
const GAUGE = 'spa_grants_live';
const STALL = 'spa_event_loop_stall_max_seconds';

/** curl's `--max-time` for a metrics read (lib/spa-server.ts). */
const METRICS_LIMIT_MS = 5000;

/**
 * Waits until LEAD_MS before the bulk grants' planned end (`endMs`), or the first of them gone, then
 * sends a probe every PROBE_GAP_MS until they all have ended, timing each probe to its grant and
 * reading the server's longest event-loop stall after each.
 */
export async function measureBulkExpiry(
  c: PhaseContext,
  running: RunningServer,
  bulk: number,
  probes: readonly Uint8Array[],
  endMs: number,
): Promise<BulkExpiryResult | undefined> {
  let unanswered = 0;
  const read = async (): Promise<{ live: number; stallMs: number }> => {
    try {
      const counters = (await running.counters?.()) ?? {};
      return { live: counters[GAUGE] ?? Number.NaN, stallMs: (counters[STALL] ?? Number.NaN) * 1000 };
    } catch {
      // The metrics endpoint did not answer within curl's limit: a stall of at least that long, not
      // a reason to lose the run. The live count is the last one read.
      unanswered++;
      c.log(`${c.sut.name}: metrics unanswered within ${METRICS_LIMIT_MS} ms during expiry`);
      return { live: now.live, stallMs: METRICS_LIMIT_MS };
    }
  };
  let now = { live: Number.NaN, stallMs: Number.NaN };
  now = await read();
  if (Number.isNaN(now.live)) return undefined;
  const deadline = endMs + 600_000;
  let idleStallMs = 0;
  // Probing starts LEAD_MS before the planned end at the latest, a slow read (METRICS_LIMIT_MS) included.
  const probeFrom = endMs - LEAD_MS - METRICS_LIMIT_MS;
  while (now.live >= bulk && Date.now() < probeFrom && Date.now() < deadline) {
    idleStallMs = Math.max(idleStallMs, now.stallMs);
    await sleep(Math.max(0, Math.min(1000, probeFrom - Date.now())));
    if (Date.now() >= probeFrom) break;
    now = await read();
  }
  c.log(`${c.sut.name}: grants expiring (${now.live} live); timing knocks meanwhile`);
  const startedAt = epochMs();
  /** When fewer than all bulk grants were live (the live count includes the probes' own grants). */
  let firstGoneAt = now.live < bulk ? startedAt : undefined;
  const latencies: number[] = [];
  let lost = 0;
  let stallMs = 0;
  let sent = 0;
  while (now.live > sent && sent < probes.length && Date.now() < deadline) {
    const before = running.grantTimes().length;
    const r = await c.prober.send(
      c.env.client.ipv4,
      [probes[sent]!],
      running.knockAddress,
      running.knockPort,
    );
    sent++;
    const until = Date.now() + PROBE_TIMEOUT_MS;
    while (running.grantTimes().length === before && Date.now() < until) await sleep(2);
    const granted = running.grantTimes()[before];
    if (granted === undefined) lost++;
    else latencies.push(granted - r.firstSentAt);
    await sleep(Math.max(0, PROBE_GAP_MS - (epochMs() - r.firstSentAt)));
    now = await read();
    stallMs = Math.max(stallMs, now.stallMs);
    if (firstGoneAt === undefined && now.live - latencies.length < bulk) firstGoneAt = epochMs();
  }
  return {
    // NaN (shown as —) when no bulk grant was seen gone: probes used up or the deadline passed.
    spanMs: firstGoneAt === undefined ? Number.NaN : epochMs() - firstGoneAt,
    liveAtEnd: Math.max(0, now.live - sent),
    probeLatency: summarize(latencies),
    probesLost: lost,
    metricsUnanswered: unanswered,
    stallMs,
    idleStallMs,
  };
}
