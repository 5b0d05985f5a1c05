/** The daemon's periodic work: integrity checks, ledger and replay pruning, clients' `expires`, and the next epoch's client tags. @module */
import type { GrantKeeper } from '../grants/grant-keeper-api.js';
import type { HookRunner } from '../hooks/hook-runner.js';
import type { DaemonLog } from '../observability/log.js';
import { advanceTags, type Runtime } from '../pipeline/runtime.js';
import type { ReplayGuard } from '../replay/replay-guard.js';
import { clientExpiry } from './client-expiry.js';
import type { KnockGateSync } from './knock-gate-sync.js';

/** Periods in ms; each has a default, and tests shorten them. */
export interface MaintenanceIntervals {
  /**
   * driver.isIntact() checks: a backstop every 5 s when kernel events report deletions at once,
   * the only way to notice them every 1 s when the backend has no events (iptables-legacy).
   */
  readonly integrityMs?: number;
  /** Ledger pruning of expired grants. Default 10 s. */
  readonly pruneMs?: number;
  /** Replay store pruning and compaction (default 10 s). */
  readonly replayMs?: number;
}

export interface MaintenanceTargets {
  readonly grants: GrantKeeper;
  readonly hooks: HookRunner;
  readonly replay: ReplayGuard;
  readonly log: DaemonLog;
  readonly clock: () => number;
  readonly gate: KnockGateSync | undefined;
  /** True when the driver reports the kernel's deletions as events. */
  readonly events: boolean;
  /** The runtime in force: a reload swaps it. */
  current(): Runtime;
}

/** Starts the periodic work, none of which keeps the process alive; the function returned stops it. */
export function startMaintenance(t: MaintenanceTargets, intervals: MaintenanceIntervals = {}): () => void {
  const { grants, hooks, replay, log, clock, gate } = t;
  const expiry = clientExpiry(t);
  const timers = [
    setInterval(() => void grants.checkIntegrity(), intervals.integrityMs ?? (t.events ? 5000 : 1000)),
    // Expired grants leave the ledger even while no knock touches it.
    setInterval(() => grants.prune(), intervals.pruneMs ?? 10_000),
    // The kernel's set elements time out silently (no netlink event): expire hooks follow its
    // timeouts to the second by this pass over the ledger.
    setInterval(() => hooks.wants('expire') && grants.prune(), 1000),
    // A client's `expires` ends, within a second, what it opened before `expires` was set or moved.
    setInterval(
      () =>
        void expiry().catch((error: unknown) =>
          log.event('error', 'firewall.failed', {
            operation: 'revoke',
            error: error instanceof Error ? error.message : String(error),
          }),
        ),
      1000,
    ),
    setInterval(
      () =>
        void replay.maintain().catch((error: unknown) =>
          log.event('error', 'replay.failed', {
            error: error instanceof Error ? error.message : String(error),
          }),
        ),
      intervals.replayMs ?? 10_000,
    ),
    // The next epoch's client tags are due as the current one starts (runtime.ts, tagLookaheadMs);
    // made here, a fleet's thousands of HMACs cost no datagram a wait (the receive path would
    // otherwise make them), and the kernel's gate gets them long before any knock in the window
    // can carry them.
    setInterval(() => {
      const rt = t.current();
      advanceTags(rt, clock());
      void gate?.syncTags(rt);
    }, 1000),
  ];
  for (const timer of timers) timer.unref();
  return () => timers.forEach(clearInterval);
}
