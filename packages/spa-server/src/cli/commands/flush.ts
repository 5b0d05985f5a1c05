/** `spa-server flush`: removes the server's table, chains, sets and grants; under a running daemon, revokes every grant and keeps the ports dropped. @module */
import { loadConfig } from '../../config/load-config.js';
import { askDaemon } from '../../daemon/control/control-client.js';
import { createDriver } from '../../firewall/create-driver.js';

export interface FlushOptions {
  readonly config: string;
}

/**
 * Removing the table under a running daemon would open the protected ports to everyone until the
 * daemon rebuilt it (and the daemon would rebuild it): flush never fails open. The daemon revokes
 * its grants instead; stopping it first is how the table goes.
 */
export async function runFlush(options: FlushOptions): Promise<void> {
  const config = await loadConfig(options.config);
  const where = `${config.firewall.backend} state of "${config.firewall.table}"`;
  // An unclear answer (permissions, a hung daemon) rejects: never guess that no daemon runs.
  const daemon = await askDaemon(config.stateDir, 'revoke-all');
  if (daemon.running) {
    const { response } = daemon;
    if (!response.ok) {
      throw new Error(`the running daemon refused to revoke grants: ${response.message ?? response.error}`);
    }
    process.stdout.write(
      `revoked: every grant in the ${where}; a daemon is running and keeps the ports dropped (stop it, then flush, to remove the table)\n`,
    );
    return;
  }
  const driver = createDriver(config);
  try {
    await driver.flush();
  } finally {
    await driver.close();
  }
  process.stdout.write(`flushed: ${where} removed\n`);
}
