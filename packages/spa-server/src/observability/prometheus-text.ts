/** The metrics snapshot as Prometheus text (exposition format 0.0.4), with the kernel's knock-gate drops as reasons. @module */
import type { MetricsSnapshot } from './metrics.js';

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
