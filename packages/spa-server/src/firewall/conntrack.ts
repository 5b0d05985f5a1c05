/** Forgetting tracked connections of a revoked grant (`conntrack -D`), so they cannot go on after it. @module */

import { SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';
import type { GrantTarget } from './driver.js';
import { checkTargets } from './grant-values.js';
import { runTool, type ToolCommand, toolCommand } from './process/tool-command.js';

/** conntrack's exit status 1 with this text only says that nothing matched. */
const NOTHING_DELETED = '0 flow entries have been deleted';

/** `conntrack -D` arguments for the connections from a target's address to its port. */
export function conntrackDeleteArgs(target: GrantTarget): string[] {
  return [
    '-D',
    '-f',
    target.family === 4 ? 'ipv4' : 'ipv6',
    '-s',
    target.address,
    '-p',
    target.protocol,
    '--dport',
    String(target.port),
  ];
}

/**
 * Deletes the tracked connections of every target. Without its entry, the next packet of such a
 * connection is no longer `established`: with the grant gone, the table's drop rule takes it.
 */
export async function forgetConnections(
  tool: ToolCommand,
  targets: readonly GrantTarget[],
  timeoutMs: number,
): Promise<void> {
  for (const target of checkTargets(targets)) {
    const args = conntrackDeleteArgs(target);
    const result = await runTool(tool, args, { timeoutMs });
    if (result.exitCode === 0 || result.stderr.includes(NOTHING_DELETED)) continue;
    throw new ServerError(
      SERVER_ERROR_CODES.firewallCommandFailed,
      `conntrack ${args.join(' ')} exited with ${result.exitCode}: ${result.stderr.trim().split('\n')[0] ?? ''}`,
    );
  }
}

/**
 * forgetConnections with `conntrack` looked up on first use (inside `netns` when given), for both
 * drivers; a failed lookup is retried next time, since the package may be installed meanwhile.
 */
export function connectionForgetter(
  netns: string | undefined,
  timeoutMs: number,
): (targets: readonly GrantTarget[]) => Promise<void> {
  let tool: Promise<ToolCommand> | undefined;
  return async (targets) => {
    tool ??= toolCommand('conntrack', 'conntrack', netns).catch((error: unknown) => {
      tool = undefined;
      throw error;
    });
    await forgetConnections(await tool, targets, timeoutMs);
  };
}
