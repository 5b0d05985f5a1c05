/** A running daemon's key work off the packet path: the key cache's writes, one after another, and the deferred subgroup checks. @module */
import type { KeyCache } from '../config/key-cache.js';
import type { DaemonLog } from '../observability/log.js';
import type { Runtime } from '../pipeline/runtime.js';
import { saveKeyCache } from './daemon-reload.js';
import { startKeyChecks } from './key-checks.js';

export interface KeyUpkeep {
  /** Queues a write of the key cache for `rt` (none without a cache): start and reloads never wait for the disk. */
  save(rt: Runtime): void;
  /** Checks the pending keys of the runtime in force (after a start or a swap); the cache is written after. */
  kick(): void;
  /** Stops the checks after the slice under way, then waits for the last queued write. */
  stop(): Promise<void>;
}

export function startKeyUpkeep(
  cache: KeyCache | undefined,
  current: () => Runtime,
  log: DaemonLog,
): KeyUpkeep {
  let saved: Promise<void> = Promise.resolve();
  const save = (rt: Runtime): void => {
    if (cache) saved = saved.then(() => saveKeyCache(cache, rt, log));
  };
  const checks = startKeyChecks(current, save);
  return {
    save,
    kick: () => checks.kick(),
    async stop() {
      await checks.stop();
      await saved;
    },
  };
}
