/** `spa-server status`: protection as the kernel holds it, the grants (from the daemon's ledger when one runs), whether a daemon runs; exit 3 when ports are unprotected. @module */

import { loadConfig } from '../../config/load-config.js';
import { askDaemon } from '../../daemon/control/control-client.js';
import { createDriver } from '../../firewall/create-driver.js';
import type { Grant, InspectGrants, ProtectionState } from '../../firewall/driver.js';
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import {
  buildStatus,
  formatStatus,
  protectionProblem,
  type ShapeFrom,
  type StatusDaemon,
} from './status-report.js';

export interface StatusOptions {
  readonly config: string;
  readonly json?: boolean;
  /** Read every grant from the kernel even when a daemon answers (slow with many grants). */
  readonly kernel?: boolean;
}

/** Prints the report; then rejects with PROTECTION_MISSING or PROTECTION_INCOMPLETE (exit 3) when protection is missing or incomplete. */
export async function runStatus(options: StatusOptions): Promise<void> {
  const config = await loadConfig(options.config);
  const driver = createDriver(config);
  let kernel: ProtectionState;
  let daemon: DaemonAnswer;
  // nft 1.0.6 fetches every set element for any listing with rules (seconds at 100,000 grants): a
  // daemon that checked the table and has seen no change since vouches for its shape, and only the
  // small sets are read here. Without its word the skeleton is read (a terse ruleset listing, no
  // element fetched); `--kernel` lists it all; iptables is cheap to list either way.
  const vouchable = !options.kernel && config.firewall.backend === 'nftables';
  let shapeFrom: ShapeFrom = 'kernel';
  try {
    // With a daemon running its ledger has the grants: the kernel's one-shot sets are read, no more.
    const grants: InspectGrants = options.kernel ? 'all' : 'one-shot';
    [kernel, daemon] = await Promise.all([
      driver.inspect(grants, vouchable ? 'vouched' : 'read'),
      daemonOf(config.stateDir, config.firewall, !options.kernel),
    ]);
    if (vouchable && daemon.shapeVouched && kernel.protection === 'installed') {
      shapeFrom = 'daemon';
    } else if (vouchable || (daemon.ledger === undefined && grants !== 'all')) {
      kernel = await driver.inspect(daemon.ledger === undefined ? 'all' : grants);
    }
  } finally {
    await driver.close();
  }
  const report = buildStatus(config, kernel, daemon.status, {
    grantsFrom: daemon.ledger === undefined ? 'kernel' : 'daemon',
    shapeFrom,
    ledger: daemon.ledger,
  });
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatStatus(report));
  const problem = protectionProblem(report);
  if (problem !== undefined) {
    const code =
      report.protection === 'missing'
        ? SERVER_ERROR_CODES.protectionMissing
        : SERVER_ERROR_CODES.protectionIncomplete;
    throw new ServerError(code, problem);
  }
}

interface DaemonAnswer {
  readonly status: StatusDaemon;
  /** The daemon's live grants, when asked for and answered. */
  readonly ledger?: readonly Grant[];
  /** Present when the daemon vouches for the shape of this table (control-messages.ts). */
  readonly shapeVouched?: true;
}

async function daemonOf(
  stateDir: string,
  firewall: { readonly backend: string; readonly table: string },
  withGrants: boolean,
): Promise<DaemonAnswer> {
  try {
    const answer = await askDaemon(stateDir, 'status', undefined, { grants: withGrants });
    if (!answer.running) return { status: { running: false } };
    const { response } = answer;
    if (!response.ok || !('pid' in response)) return { status: { running: true } };
    const status = { running: true, pid: response.pid };
    // The daemon's table, not another one a changed config file names (a restart-only setting).
    const same = response.shape?.table === firewall.table && response.shape.backend === firewall.backend;
    const vouched = same ? { shapeVouched: true as const } : {};
    return response.grants === undefined
      ? { status, ...vouched }
      : { status, ledger: response.grants, ...vouched };
  } catch (error) {
    return { status: { running: null, error: error instanceof Error ? error.message : String(error) } };
  }
}
