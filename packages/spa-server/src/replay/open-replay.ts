/** Opens the replay store the configuration names: the file store alone, or the file store and Redis. @module */
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { DaemonLog } from '../observability/log.js';
import { RedisRecord } from './redis-record.js';
import type { ReplayGuard } from './replay-guard.js';
import type { ReplayRecovery } from './replay-limits.js';
import { ReplayStore } from './replay-store.js';
import { SharedReplayStore } from './shared-replay-store.js';

export interface OpenedReplay {
  readonly store: ReplayGuard;
  readonly recovery: ReplayRecovery;
  /** 'file', or 'redis' when the record is shared. */
  readonly kind: 'file' | 'redis';
}

export async function openReplay(
  config: Pick<ResolvedConfig, 'stateDir' | 'replay'>,
  windowMs: number,
  clock: () => number,
  log: DaemonLog,
): Promise<OpenedReplay> {
  const { store: local, recovery } = await ReplayStore.open({
    dir: config.stateDir,
    windowMs,
    capacity: config.replay.capacity,
    perClient: config.replay.perClient,
    clock,
  });
  const redis = config.replay.redis;
  if (!redis) return { store: local, recovery, kind: 'file' };
  try {
    const record = await RedisRecord.open(redis, log, clock);
    const store = new SharedReplayStore({
      local,
      record,
      windowMs,
      clock,
      whenUnreachable: redis.whenUnreachable,
    });
    return { store, recovery, kind: 'redis' };
  } catch (error) {
    await local.close();
    throw error;
  }
}
