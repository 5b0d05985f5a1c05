/** The control socket wired to a running daemon: its pid, ports and ledger for `status`, revoke-all for `flush`, refusals counted. @module */
import type { GrantKeeper } from '../../grants/grant-keeper-api.js';
import type { DaemonLog } from '../../observability/log.js';
import type { Metrics } from '../../observability/metrics.js';
import { createBucket, takeToken } from '../../shared/token-bucket.js';
import { controlSocketPath, type DaemonStatus } from './control-messages.js';
import { type ControlServer, startControlServer } from './control-server.js';

export interface DaemonControlOptions {
  readonly stateDir: string;
  readonly grants: GrantKeeper;
  readonly metrics: Metrics;
  readonly log: DaemonLog;
  readonly clock: () => number;
  /** The table and how long ago the daemon last found it whole, when it can vouch for it (shape-witness.ts). */
  readonly shape?: () => DaemonStatus['shape'];
}

/** Refusal lines per second; the rest are only counted. */
const REFUSAL_LOGS_PER_SECOND = 1;

export function startDaemonControl(options: DaemonControlOptions): Promise<ControlServer> {
  const { grants, metrics, log, clock } = options;
  const bucket = createBucket(REFUSAL_LOGS_PER_SECOND, clock());
  return startControlServer({
    path: controlSocketPath(options.stateDir),
    handlers: {
      status: () => {
        const shape = options.shape?.();
        return {
          ok: true,
          pid: process.pid,
          ports: grants.protectedPorts(),
          ...(shape === undefined ? {} : { shape }),
          grants: grants.live(),
        };
      },
      revokeAll: () => grants.revokeAll(),
      refused: (reason) => {
        metrics.refuseControl(reason);
        if (takeToken(bucket, REFUSAL_LOGS_PER_SECOND, REFUSAL_LOGS_PER_SECOND, clock())) {
          log.event('warn', 'control.refused', { reason, message: 'control socket request refused' });
        }
      },
    },
  });
}
