/** `spa-server flush`: removes every table, chain, set and grant the server installed. @module */
import { loadConfig } from '../config/load-config.js';
import { createDriver } from '../firewall/create-driver.js';

export interface FlushOptions {
  readonly config: string;
}

/** A daemon still running would notice and install its table again (its integrity check). */
export async function runFlush(options: FlushOptions): Promise<void> {
  const config = await loadConfig(options.config);
  const driver = createDriver(config.firewall);
  try {
    await driver.flush();
  } finally {
    await driver.close();
  }
  process.stdout.write(`flushed: ${config.firewall.backend} state of "${config.firewall.table}" removed\n`);
}
