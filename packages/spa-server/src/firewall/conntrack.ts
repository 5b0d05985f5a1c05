/** Forgetting tracked connections of a revoked grant (`conntrack -D`), so they cannot go on after it. @module */

import { SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';
import type { GrantTarget } from './driver.js';
import { checkTargets } from './grant-values.js';
import { runTool, type ToolCommand, toolCommand } from './process/tool-command.js';

/** conntrack's exit status 1 with this text only says that nothing matched. */
const NOTHING_DELETED = '0 flow entries have been deleted';

/** `conntrack -D` arguments for the connections from a target's address to one port. */
export function conntrackDeleteArgs(target: GrantTarget, port: number = target.port): string[] {
  return [...conntrackFilter('-D', target), '--dport', String(port)];
}

/**
 * The destination ports of a range target's tracked connections: conntrack matches one port only
 * (1.4.7 reads `--dport 8000-8010` as 8000), so a range is listed first and its ports used deleted
 * one by one. The first `dport=` of a line is the original direction's.
 */
export function rangePortsInListing(listing: string, target: GrantTarget): number[] {
  const last = target.lastPort ?? target.port;
  const ports = new Set<number>();
  for (const line of listing.split('\n')) {
    const port = Number(/ dport=(\d+) /.exec(line)?.[1]);
    if (Number.isInteger(port) && port >= target.port && port <= last) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

function conntrackFilter(op: '-D' | '-L', target: GrantTarget): string[] {
  return [op, '-f', target.family === 4 ? 'ipv4' : 'ipv6', '-s', target.address, '-p', target.protocol];
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
    let ports = [target.port];
    if (target.lastPort !== undefined) {
      const listing = await runTool(tool, conntrackFilter('-L', target), { timeoutMs });
      if (listing.exitCode !== 0) throw failed(conntrackFilter('-L', target), listing);
      ports = rangePortsInListing(listing.stdout, target);
    }
    for (const port of ports) {
      const args = conntrackDeleteArgs(target, port);
      const result = await runTool(tool, args, { timeoutMs });
      if (result.exitCode !== 0 && !result.stderr.includes(NOTHING_DELETED)) throw failed(args, result);
    }
  }
}

function failed(args: readonly string[], result: { exitCode: number; stderr: string }): ServerError {
  return new ServerError(
    SERVER_ERROR_CODES.firewallCommandFailed,
    `conntrack ${args.join(' ')} exited with ${result.exitCode}: ${result.stderr.trim().split('\n')[0] ?? ''}`,
  );
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
