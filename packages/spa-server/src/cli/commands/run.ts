/** `spa-server run` (the default): starts the daemon; SIGHUP reloads the config, SIGTERM/SIGINT stop. @module */
import { createConfigReuse } from '../../config/config-reuse.js';
import { loadConfig } from '../../config/load-config.js';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { type DirWatch, watchClientsDir } from '../../config/watch-clients-dir.js';
import { startDaemon } from '../../daemon/daemon.js';
import type { Daemon } from '../../daemon/daemon-api.js';
import { createDriver } from '../../firewall/create-driver.js';
import type { FirewallDriver } from '../../firewall/driver.js';
import { type LogFields, type LogLevel, stdoutLogger } from '../../observability/log.js';
import { isServerError, SERVER_ERROR_CODES } from '../../shared/server-error.js';
import { BUILD_ID } from '../version.js';
import { noteAheadFailure, noteDirCache, noteKeyCache } from './load-notices.js';
import { type HeldHangups, holdHangups } from './start-hangups.js';

/**
 * How long after a start or a reload the clients-dir cache is written: after the kernel gate's tags
 * and the key cache, which share the event loop's turns with it and matter first.
 */
const DIR_CACHE_SAVE_DELAY_MS = 3000;

export interface RunOptions {
  readonly config: string;
}

/** Resolves once the daemon has stopped after SIGTERM or SIGINT; start-up failures reject. */
export async function runDaemon(options: RunOptions): Promise<void> {
  const held = holdHangups();
  try {
    await runHoldingHangups(options, held);
  } finally {
    held.release();
  }
}

async function runHoldingHangups(options: RunOptions, held: HeldHangups): Promise<void> {
  // Kept while the daemon runs: a reload reads, validates and derives only what changed.
  const reuse = createConfigReuse(BUILD_ID);
  const config = await loadConfig(options.config, reuse);
  noteKeyCache(reuse);
  noteDirCache(reuse);
  let driver: FirewallDriver | undefined;
  let daemon: Daemon;
  try {
    driver = createDriver(config, { residentListings: true });
    daemon = await startDaemon(config, { driver, keyCache: reuse.keys });
  } catch (error) {
    reuse.keys.ahead.finish(); // a start that failed before its table: no worker outlives it
    noteAheadFailure(reuse);
    await driver?.close().catch(() => {});
    throw error;
  }
  const firewall = driver;
  noteAheadFailure(reuse);

  const dirCache = dirCacheWrites(() => reuse.dir.save(reuse.files));
  dirCache.request();

  // Reloads run one after another; a signal during one queues the next, which reads the file again.
  let pending: Promise<void> = Promise.resolve();
  let watching: { key: string; watch: DirWatch } | undefined;
  const follow = (current: ResolvedConfig): void => {
    const dir = current.clientsDir?.watch ? current.clientsDir.path : undefined;
    if (watching?.key === dir) return;
    watching?.watch.close();
    watching = undefined;
    if (dir === undefined) return;
    const onError = (error: Error): void =>
      log('error', 'config.watch-failed', { message: `${dir}: ${describe(error)}; SIGHUP still reloads` });
    watching = { key: dir, watch: watchClientsDir(dir, () => onHangup(), onError) };
  };
  const reload = async (): Promise<void> => {
    try {
      const next = await loadConfig(config.source, reuse);
      noteKeyCache(reuse);
      // The table's build ends the load's agreement worker; a reload refused before it does here.
      await daemon.reload(next).finally(() => reuse.keys.ahead.finish()); // logs daemon.reloaded
      follow(next);
      dirCache.request();
    } catch (error) {
      // The old configuration stays in force: a typo in a reload must not open or close anything.
      const problems = isServerError(error, SERVER_ERROR_CODES.configInvalid) ? error.problems : undefined;
      log('error', 'config.reload-failed', {
        reason: (error as { code?: string } | null)?.code ?? 'error',
        message: problems ? `${problems.length} problem(s) in ${config.source}` : describe(error),
        ...(problems ? { problems } : {}),
      });
    } finally {
      noteAheadFailure(reuse); // the load's worker, whether the reload took or not
    }
  };
  const onHangup = (): void => {
    pending = pending.then(reload);
  };

  await new Promise<void>((resolve, reject) => {
    let stopping = false;
    const onStop = (): void => {
      if (stopping) return;
      stopping = true;
      // Grants stay in the kernel and expire there: stopping never opens or closes a port.
      pending
        .then(() => daemon.stop())
        .then(() => dirCache.flush())
        .then(() => firewall.close())
        .then(resolve, reject)
        .finally(() => {
          watching?.watch.close();
          process.off('SIGHUP', onHangup);
          process.off('SIGTERM', onStop);
          process.off('SIGINT', onStop);
        });
    };
    process.on('SIGHUP', onHangup);
    // Only now, with the daemon's own handler in place: no SIGHUP falls between the two.
    if (held.release()) onHangup();
    follow(config);
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
  });
}

function log(level: LogLevel, event: string, fields: LogFields): void {
  stdoutLogger.write({ ts: new Date().toISOString(), level, event, ...fields });
}

/**
 * The clients-dir cache's writes: one at a time, DIR_CACHE_SAVE_DELAY_MS after the last request,
 * and at stop when one is still due (a restart right after a reload then reads only what changed).
 * A failed write costs the next start time, never a knock: one warning.
 */
function dirCacheWrites(save: () => Promise<void>): { request(): void; flush(): Promise<void> } {
  let writing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const write = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    writing = writing.then(save).catch((error: unknown) => {
      const reason = (error as { code?: string } | null)?.code ?? 'error';
      log('warn', 'dircache.unwritable', {
        reason,
        message: `the clients-dir cache cannot be written (${reason}): the next start reads every client file`,
      });
    });
    return writing;
  };
  return {
    request() {
      clearTimeout(timer);
      timer = setTimeout(write, DIR_CACHE_SAVE_DELAY_MS).unref();
    },
    flush: () => (timer === undefined ? writing : write()),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
