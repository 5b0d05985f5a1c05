/** At start: the grants an earlier run left in the kernel, read once so that status shows them. @module */
import type { FirewallDriver } from '../firewall/driver.js';
import type { GrantKeeper } from '../grants/grant-keeper-api.js';
import type { DaemonLog } from '../observability/log.js';

/**
 * One listing of the whole table, only at start (seconds with 100,000 elements, milliseconds with
 * few). A failure costs the report, not the start: those grants still end by the kernel's timeout.
 */
export async function inheritGrants(
  driver: FirewallDriver,
  grants: GrantKeeper,
  log: DaemonLog,
): Promise<void> {
  try {
    grants.inherit((await driver.inspect('all')).grants);
  } catch (error) {
    log.event('warn', 'grants.unlisted', {
      error: error instanceof Error ? error.message : String(error),
      message: 'grants kept from before the start could not be read: status shows them only with --kernel',
    });
  }
}
