/** Opens the replay store the configuration names: the file store alone, or the file store and Redis. @module */
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { DaemonLog } from '../observability/log.js';
import { MARK_EVERY_MS } from './high-water-mark.js';
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
  windows: { readonly windowMs: number; readonly futureWindowMs: number },
  clock: () => number,
  log: DaemonLog,
): Promise<OpenedReplay> {
  const { windowMs } = windows;
  const { store: local, recovery } = await ReplayStore.open({
    dir: config.stateDir,
    windowMs,
    futureWindowMs: windows.futureWindowMs,
    capacity: config.replay.capacity,
    perClient: config.replay.perClient,
    clock,
    // Off the knock's path: a knock only compares its timestamp with the mark already synced.
    markEveryMs: MARK_EVERY_MS,
    onMarkError: (error) =>
      log.event('error', 'replay.failed', {
        error: error instanceof Error ? error.message : String(error),
      }),
  });
  logRecovery(log, recovery);
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

/** Says at start when the state was damaged or the last stop unclean: what is refused until when. */
function logRecovery(log: DaemonLog, recovery: ReplayRecovery): void {
  if (!recovery.damage && !recovery.unclean) return;
  log.event('warn', 'replay.recovered', {
    path: recovery.path,
    ...(recovery.damage ? { damage: recovery.damage } : {}),
    unclean: recovery.unclean,
    refuseUntil: new Date(recovery.floorMs).toISOString(),
    message: recovery.damage
      ? 'replay state damaged: knocks timestamped before refuseUntil are refused'
      : 'the previous run did not stop cleanly: knocks timestamped before refuseUntil are refused',
  });
}
