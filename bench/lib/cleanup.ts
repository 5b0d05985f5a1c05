/** Teardown that also runs on SIGINT/SIGTERM, so no namespace or daemon outlives an interrupted benchmark. @module */

interface Entry {
  readonly fn: () => Promise<void>;
  promise?: Promise<void>;
}

const _pending: Entry[] = [];
let _installed = false;
let _draining: Promise<void> | undefined;

/** Registers `fn` to run at teardown (newest first); returns a function that runs it now instead. Each runs once. */
export function onCleanup(fn: () => Promise<void>): () => Promise<void> {
  const entry: Entry = { fn };
  _pending.push(entry);
  return () => _run(entry);
}

/** Runs every registered cleanup, newest first; one failing does not stop the others. Calls share one pass. */
export function runCleanups(): Promise<void> {
  _draining ??= (async () => {
    while (_pending.length > 0) await _run(_pending[_pending.length - 1]!);
  })().finally(() => {
    _draining = undefined;
  });
  return _draining;
}

/**
 * On SIGINT/SIGTERM: clean up, then exit with 128 + signal number, as a shell would report it. Further
 * signals meanwhile are swallowed: Ctrl-C through pnpm and tsx arrives as SIGINT and then SIGTERM, and
 * the default action of the second would kill the process halfway through removing the lab.
 */
export function installSignalHandlers(): void {
  if (_installed) return;
  _installed = true;
  let exiting = false;
  const handle = (signal: NodeJS.Signals, code: number): void => {
    if (exiting) return;
    exiting = true;
    process.stderr.write(`\n${signal}: removing the lab...\n`);
    void runCleanups().finally(() => process.exit(128 + code));
  };
  process.on('SIGINT', () => handle('SIGINT', 2));
  process.on('SIGTERM', () => handle('SIGTERM', 15));
  // A stray rejection would otherwise end the process at once, leaving the lab behind.
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`unhandled rejection: ${String(reason)}\n`);
    if (exiting) return;
    exiting = true;
    void runCleanups().finally(() => process.exit(1));
  });
}

function _run(entry: Entry): Promise<void> {
  const i = _pending.indexOf(entry);
  if (i >= 0) _pending.splice(i, 1);
  entry.promise ??= entry.fn().catch((error: unknown) => {
    process.stderr.write(`cleanup failed: ${String(error)}\n`);
  });
  return entry.promise;
}
