/** Counters by refusal reason and outcome, a snapshot for callers, and the Prometheus text rendering. @module */
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

/**
 * The kernel's knock-gate counters (firewall/knock-gate.ts) as reasons: the daemon's own refusal codes
 * where the kernel drops what the daemon would refuse for that reason.
 */
const KERNEL_DROP_REASONS: Readonly<Record<string, string>> = {
  knock_flood: 'source-flood',
  knock_size: 'size',
  knock_tag: 'unknown-client',
  knock_spent: 'replay',
};

/** Prometheus text exposition format 0.0.4; `kernelDrops` are the nft counters by name, when read. */
export function renderPrometheus(s: MetricsSnapshot, kernelDrops?: Readonly<Record<string, number>>): string {
  const lines: string[] = [];
  const metric = (
    name: string,
    type: 'counter' | 'gauge',
    help: string,
    samples: [string, number][],
  ): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  const one = (v: number): [string, number][] => [['', v]];
  metric(
    'spa_datagrams_received_total',
    'counter',
    'Datagrams read from the listen sockets.',
    one(s.received),
  );
  metric(
    'spa_knocks_refused_total',
    'counter',
    'Datagrams refused, by reason code.',
    Object.entries(s.refused).map(([r, v]) => [`{reason="${r}"}`, v]),
  );
  metric('spa_knocks_accepted_total', 'counter', 'Open requests granted.', one(s.accepted));
  metric('spa_knocks_closed_total', 'counter', 'Close requests applied.', one(s.closed));
  metric('spa_grants_total', 'counter', 'Address/port allowances given to the firewall.', one(s.grants));
  metric(
    'spa_queue_dropped_total',
    'counter',
    'Datagrams dropped by the full work queue.',
    one(s.queueDrops),
  );
  metric('spa_firewall_failures_total', 'counter', 'Failed firewall operations.', one(s.firewallFailures));
  metric(
    'spa_firewall_rebuilds_total',
    'counter',
    'Firewall tables rebuilt after deletion.',
    one(s.firewallRebuilds),
  );
  metric(
    'spa_duplicate_revokes_total',
    'counter',
    'Source-mode grants revoked because a copy of the knock came from another address.',
    one(s.duplicateRevokes),
  );
  metric(
    'spa_firewall_events_lost_total',
    'counter',
    'Times the kernel event stream lost events (its socket overflowed); each triggers a full check.',
    one(s.firewallEventsLost),
  );
  metric(
    'spa_knock_gate_spent_full_total',
    'counter',
    "Granted knocks whose nonce the knock gate's full spent set could not hold: the daemon refuses their copies itself.",
    one(s.gateSpentFull),
  );
  metric('spa_replay_entries', 'gauge', 'Entries in the replay store.', one(s.replayEntries));
  metric(
    'spa_grants_live',
    'gauge',
    'Grants the daemon holds (expired ones until pruned).',
    one(s.grantsLive),
  );
  metric(
    'spa_event_loop_stall_max_seconds',
    'gauge',
    'Longest event-loop stall in the last 10 to 20 seconds.',
    one(s.loopStallSeconds),
  );
  metric(
    'spa_key_checks_pending',
    'gauge',
    'Client keys whose subgroup check (docs/protocol.md §1) is still to come; each is checked at its first knock at the latest.',
    one(s.keyChecksPending),
  );
  metric(
    'spa_log_suppressed_total',
    'counter',
    'Refusal log lines suppressed by the rate limit.',
    one(s.logSuppressed),
  );
  metric(
    'spa_control_refused_total',
    'counter',
    'Control socket requests refused, by reason.',
    Object.entries(s.controlRefused).map(([r, v]) => [`{reason="${r}"}`, v]),
  );
  metric(
    'spa_hook_runs_total',
    'counter',
    'Hook runs by event and result (dropped: never run, the queue was full).',
    Object.entries(s.hookRuns).flatMap(([event, results]) =>
      Object.entries(results).map(([result, v]): [string, number] => [
        `{event="${event}",result="${result}"}`,
        v,
      ]),
    ),
  );
  if (kernelDrops) {
    metric(
      'spa_kernel_dropped_total',
      'counter',
      'Datagrams to the listen ports dropped by the kernel before the socket, by reason.',
      Object.entries(KERNEL_DROP_REASONS).map(([name, reason]) => [
        `{reason="${reason}"}`,
        kernelDrops[name] ?? 0,
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}
