/** The lines a load of the configuration gives once, after it: what the two caches spared and whether the agreement worker failed. @module */
import type { ClientsDirCacheOpened } from '../../config/clients-dir-cache.js';
import type { KeyCacheOpened } from '../../config/key-cache.js';
import { type LogFields, type Logger, type LogLevel, stdoutLogger } from '../../observability/log.js';

/** What a load leaves to be told: a ConfigReuse, or a test's stand-in for one. */
export interface LoadNotices {
  readonly keys: {
    takeNotice(): KeyCacheOpened | undefined;
    readonly ahead: { takeFailure(): string | undefined };
  };
  readonly dir: { takeNotice(): ClientsDirCacheOpened | undefined };
}

function write(sink: Logger, level: LogLevel, event: string, fields: LogFields): void {
  sink.write({ ts: new Date().toISOString(), level, event, ...fields });
}

/** One line when the key cache was read: how many keys it spared, or why it was ignored (never its contents). */
export function noteKeyCache(reuse: LoadNotices, sink: Logger = stdoutLogger): void {
  const notice = reuse.keys.takeNotice();
  if (!notice || notice.again) return;
  if (notice.ignored) {
    write(sink, 'warn', 'keycache.ignored', {
      reason: notice.ignored,
      message: `key cache ignored (${notice.ignored}): every key is derived and checked again and the cache rewritten`,
    });
  } else
    write(sink, 'info', 'keycache.loaded', {
      keys: notice.loaded,
      message: `key cache: ${notice.loaded} keys known`,
    });
}

/** One line when the load's agreement worker failed: no key is lost (this thread derived them), only time. */
export function noteAheadFailure(reuse: LoadNotices, sink: Logger = stdoutLogger): void {
  const failure = reuse.keys.ahead.takeFailure();
  if (failure === undefined) return;
  write(sink, 'warn', 'agreements.worker-failed', {
    message: `the key agreement worker failed (${failure}): the daemon's thread derived its keys instead`,
  });
}

/** One line when the clients-dir cache was read: how many files it spared, or why it was ignored. */
export function noteDirCache(reuse: LoadNotices, sink: Logger = stdoutLogger): void {
  const notice = reuse.dir.takeNotice();
  // None yet (a first start): nothing worth a line.
  if (!notice || (notice.ignored === undefined && notice.loaded === 0)) return;
  if (notice.ignored) {
    write(sink, 'warn', 'dircache.ignored', {
      reason: notice.ignored,
      message: `clients-dir cache ignored (${notice.ignored}): every client file is read and the cache rewritten`,
    });
  } else
    write(sink, 'info', 'dircache.loaded', {
      files: notice.loaded,
      message: `clients-dir cache: ${notice.loaded} files known`,
    });
}
