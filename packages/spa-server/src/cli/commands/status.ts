/** `spa-server status`: protection and grants as the kernel holds them, and whether a daemon runs; exit 3 when ports are unprotected. @module */

import { loadConfig } from '../../config/load-config.js';
import { askDaemon } from '../../daemon/control/control-client.js';
import { createDriver } from '../../firewall/create-driver.js';
import type { ProtectionState } from '../../firewall/driver.js';
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import { buildStatus, formatStatus, protectionProblem, type StatusDaemon } from './status-report.js';

export interface StatusOptions {
  readonly config: string;
  readonly json?: boolean;
}

/** Prints the report; then rejects with PROTECTION_MISSING or PROTECTION_INCOMPLETE (exit 3) when protection is missing or incomplete. */
export async function runStatus(options: StatusOptions): Promise<void> {
  const config = await loadConfig(options.config);
  const driver = createDriver(config);
  let kernel: ProtectionState;
  let daemon: StatusDaemon;
  try {
    [kernel, daemon] = await Promise.all([driver.inspect(), daemonOf(config.stateDir)]);
  } finally {
    await driver.close();
  }
  const report = buildStatus(config, kernel, daemon);
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

async function daemonOf(stateDir: string): Promise<StatusDaemon> {
  try {
    // Only the pid: the grants come from the kernel's listing, and 100,000 of them from the daemon too
    // would cost it their serialisation for nothing.
    const answer = await askDaemon(stateDir, 'status', undefined, { grants: false });
    if (!answer.running) return { running: false };
    const { response } = answer;
    return response.ok && 'pid' in response ? { running: true, pid: response.pid } : { running: true };
  } catch (error) {
    return { running: null, error: error instanceof Error ? error.message : String(error) };
  }
}
