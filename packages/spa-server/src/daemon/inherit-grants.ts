/** At start: the grants an earlier run left in the kernel, read once so that status shows them. @module */
import type { FirewallDriver } from '../firewall/driver.js';
import type { GrantKeeper } from '../grants/grant-keeper-api.js';
import type { DaemonLog } from '../observability/log.js';

/**
 * One listing of the grant sets, only at start (seconds with 100,000 elements, milliseconds with
 * few). A failure costs the report, not the start: those grants still end by the kernel's timeout.
 * The sets alone (nftables: the table's shape taken as read, one listing per set), not the whole
 * table: a large fleet's restart finds the gate's 30,000 tags kept from the last run, which nft
 * would otherwise fetch and print before the daemon listens (~0.1 s of nft, ~1.5 MB to parse).
 */
export async function inheritGrants(
  driver: FirewallDriver,
  grants: GrantKeeper,
  log: DaemonLog,
): Promise<void> {
  try {
    grants.inherit((await driver.inspect('all', 'vouched')).grants);
  } catch (error) {
    log.event('warn', 'grants.unlisted', {
      error: error instanceof Error ? error.message : String(error),
      message: 'grants kept from before the start could not be read: status shows them only with --kernel',
    });
  }
}
