/** Teardown that also runs on SIGINT/SIGTERM, so no namespace or daemon outlives an interrupted benchmark. @module */

interface Entry {
  readonly fn: () => Promise<void>;
  promise?: Promise<void>;
}

const _pending: Entry[] = [];
let _installed = false;

/** Registers `fn` to run at teardown (newest first); returns a function that runs it now instead. Each runs once. */
export function onCleanup(fn: () => Promise<void>): () => Promise<void> {
  const entry: Entry = { fn };
  _pending.push(entry);
  return () => _run(entry);
}

/** Runs every registered cleanup, newest first; one failing does not stop the others. */
export async function runCleanups(): Promise<void> {
  while (_pending.length > 0) await _run(_pending[_pending.length - 1]!);
}

/** On SIGINT/SIGTERM: clean up, then exit with 128 + signal number, as a shell would report it. */
export function installSignalHandlers(): void {
  if (_installed) return;
  _installed = true;
  const handle = (signal: NodeJS.Signals, code: number): void => {
    process.stderr.write(`\n${signal}: removing the lab...\n`);
    void runCleanups().finally(() => process.exit(128 + code));
  };
  process.once('SIGINT', () => handle('SIGINT', 2));
  process.once('SIGTERM', () => handle('SIGTERM', 15));
}

function _run(entry: Entry): Promise<void> {
  const i = _pending.indexOf(entry);
  if (i >= 0) _pending.splice(i, 1);
  entry.promise ??= entry.fn().catch((error: unknown) => {
    process.stderr.write(`cleanup failed: ${String(error)}\n`);
  });
  return entry.promise;
}
