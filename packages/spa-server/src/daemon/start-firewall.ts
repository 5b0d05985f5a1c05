/** At start: the firewall set up while the client table is built, or after it when the setup carries the table's tags. @module */
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { GrantKeeper } from '../grants/grant-keeper-api.js';
import { portsOf, type Runtime } from '../pipeline/runtime.js';
import { setupFirewall } from './daemon-reload.js';
import type { KnockGateSync } from './knock-gate-sync.js';

/**
 * A large fleet's table (keys and tags: hundreds of milliseconds on the daemon's thread) is built
 * while nft, another process, sets up the firewall from the services alone; its tags reach the
 * kernel's gate once the daemon listens (knock-gate-sync.ts). A small fleet's tags go in with the
 * setup, so its table comes first. Either way the table is complete before the runtime is returned.
 */
export async function setUpWithRuntime(
  config: ResolvedConfig,
  building: Promise<Runtime>,
  grants: GrantKeeper,
  gate: KnockGateSync | undefined,
  tagsAfterStart: boolean,
): Promise<Runtime> {
  if (!tagsAfterStart) {
    const runtime = await building;
    await gate?.syncTags(runtime);
    await setupFirewall(grants, runtime.ports);
    return runtime;
  }
  // Both settle before either's failure is thrown: no table build runs on after the daemon's cleanup.
  const [built, setup] = await Promise.allSettled([building, setupFirewall(grants, portsOf(config))]);
  if (built.status === 'rejected') throw built.reason;
  if (setup.status === 'rejected') throw setup.reason;
  return built.value;
}
