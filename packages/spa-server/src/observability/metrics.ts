/** Counters by refusal reason and outcome, and a snapshot for callers (prometheus-text.ts renders it). @module */
import { HOOK_EVENTS, type HookEventName } from 'spa-config/server-config';
import {
  ALL_REFUSALS,
  CONTROL_REFUSALS,
  type ControlRefusal,
  HOOK_RESULTS,
  type HookResult,
  type KnockRefusal,
} from '../shared/reasons.js';

/** Stable shape (also what `Daemon.metrics()` returns); counters only grow during a daemon's life. */
export interface MetricsSnapshot {
  /** Datagrams read from the sockets. */
  readonly received: number;
  /** Every reason code, including those never seen (0). */
  readonly refused: Readonly<Record<KnockRefusal, number>>;
  /** Open requests granted. */
  readonly accepted: number;
  /** Close requests applied. */
  readonly closed: number;
  /** (address, protocol, port) allowances handed to the firewall, re-grants after a rebuild included. */
  readonly grants: number;
  /** Datagrams dropped because the work queue was full (same as refused['queue-full']). */
  readonly queueDrops: number;
  /** Failed firewall calls: grants, revokes, integrity checks and rebuilds. */
  readonly firewallFailures: number;
  /** Times the firewall's table was found missing and rebuilt. */
  readonly firewallRebuilds: number;
  /** Source-mode grants revoked (with their connections) because a copy came from another address. */
  readonly duplicateRevokes: number;
  /** Times the kernel event stream said it lost events (its socket overflowed in a burst). */
  readonly firewallEventsLost: number;
  /** Granted knocks whose nonce the knock gate's full spent set could not take (nftables). */
  readonly gateSpentFull: number;
  /** Gauge: (keyId, nonce) pairs held by the replay store. */
  readonly replayEntries: number;
  /** Refusal log lines not written because of the log rate limit. */
  readonly logSuppressed: number;
  /** Gauge: grants (address × protocol × port elements) the daemon holds, expired ones until pruned. */
  readonly grantsLive: number;
  /** Gauge: the longest event-loop stall of the last 10 to 20 s, in seconds (observability/loop-stall.ts). */
  readonly loopStallSeconds: number;
  /** Gauge: client keys whose §1 subgroup check is still to come (after a start or reload that added keys). */
  readonly keyChecksPending: number;
  /** Control socket requests refused, by reason (every reason present). */
  readonly controlRefused: Readonly<Record<ControlRefusal, number>>;
  /** Hook runs by event and result (every pair present). */
  readonly hookRuns: Readonly<Record<HookEventName, Readonly<Record<HookResult, number>>>>;
}

export type CounterName =
  | 'received'
  | 'accepted'
  | 'closed'
  | 'grants'
  | 'firewallFailures'
  | 'firewallRebuilds'
  | 'duplicateRevokes'
  | 'firewallEventsLost'
  | 'gateSpentFull';

export interface Metrics {
  count(name: CounterName, by?: number): void;
  refuse(reason: KnockRefusal): void;
  refuseControl(reason: ControlRefusal): void;
  hookRun(event: HookEventName, result: HookResult): void;
  snapshot(): MetricsSnapshot;
}

export interface MetricsGauges {
  readonly replayEntries: () => number;
  readonly logSuppressed: () => number;
  readonly grantsLive?: () => number;
  readonly loopStallSeconds?: () => number;
  readonly keyChecksPending?: () => number;
}

export function createMetrics(gauges: MetricsGauges): Metrics {
  const refused = Object.fromEntries(ALL_REFUSALS.map((r) => [r, 0])) as Record<KnockRefusal, number>;
  const controlRefused = Object.fromEntries(CONTROL_REFUSALS.map((r) => [r, 0])) as Record<
    ControlRefusal,
    number
  >;
  const hookRuns = Object.fromEntries(
    HOOK_EVENTS.map((e) => [e, Object.fromEntries(HOOK_RESULTS.map((r) => [r, 0]))]),
  ) as Record<HookEventName, Record<HookResult, number>>;
  const counters: Record<CounterName, number> = {
    received: 0,
    accepted: 0,
    closed: 0,
    grants: 0,
    firewallFailures: 0,
    firewallRebuilds: 0,
    duplicateRevokes: 0,
    firewallEventsLost: 0,
    gateSpentFull: 0,
  };
  return {
    count(name, by = 1) {
      counters[name] += by;
    },
    refuse(reason) {
      refused[reason]++;
    },
    refuseControl(reason) {
      controlRefused[reason]++;
    },
    hookRun(event, result) {
      hookRuns[event][result]++;
    },
    snapshot() {
      return {
        ...counters,
        refused: { ...refused },
        queueDrops: refused['queue-full'],
        replayEntries: gauges.replayEntries(),
        logSuppressed: gauges.logSuppressed(),
        grantsLive: gauges.grantsLive?.() ?? 0,
        loopStallSeconds: gauges.loopStallSeconds?.() ?? 0,
        keyChecksPending: gauges.keyChecksPending?.() ?? 0,
        controlRefused: { ...controlRefused },
        hookRuns: Object.fromEntries(
          HOOK_EVENTS.map((e) => [e, { ...hookRuns[e] }]),
        ) as MetricsSnapshot['hookRuns'],
      };
    },
  };
}
