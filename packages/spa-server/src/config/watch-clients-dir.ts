/** watchClientsDir: a change in the clients directory asks for a reload, as SIGHUP does, once things settle. @module */
import { type FSWatcher, watch } from 'node:fs';

/** Quiet time after the last change: a tool writing 500 files causes one reload, not 500. */
export const WATCH_SETTLE_MS = 1000;

export interface DirWatch {
  close(): void;
}

/**
 * Calls `reload` WATCH_SETTLE_MS after the last change in `dir`. Errors of the watcher (the directory
 * removed) go to `failed`; the daemon keeps its clients, and SIGHUP still reloads.
 */
export function watchClientsDir(dir: string, reload: () => void, failed: (error: Error) => void): DirWatch {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(reload, WATCH_SETTLE_MS);
      timer.unref();
    });
    watcher.on('error', failed);
  } catch (error) {
    failed(error as Error);
  }
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
