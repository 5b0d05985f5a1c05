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
  building: () => Promise<Runtime>,
  grants: GrantKeeper,
  gate: KnockGateSync | undefined,
  tagsAfterStart: boolean,
): Promise<Runtime> {
  if (!tagsAfterStart) {
    const runtime = await building();
    await gate?.syncTags(runtime);
    await setupFirewall(grants, runtime.ports);
    return runtime;
  }
  // The setup first: its nft starts before the build takes the thread, which it then leaves only
  // between slices. Both settle before either's failure is thrown: no build runs on after a cleanup.
  const setup = setupFirewall(grants, portsOf(config));
  const [ready, built] = await Promise.allSettled([setup, building()]);
  if (built.status === 'rejected') throw built.reason;
  if (ready.status === 'rejected') throw ready.reason;
  return built.value;
}
