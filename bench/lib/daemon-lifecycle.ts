/** A server under test's daemon: wait for its ready line (or stop it and say why it never came), and stop it once. @module */
import type { ResultPromise } from 'execa';

export interface StartingDaemon {
  /** Named in the errors: 'spa-server', 'fwknopd'. */
  readonly name: string;
  readonly daemon: ResultPromise;
  /** Resolves when the daemon has logged that it is ready. */
  readonly ready: Promise<void>;
  /** The daemon's last lines, for the error. */
  readonly tail: () => string;
  /** Stops it and removes what the start made. */
  readonly stop: () => Promise<void>;
  readonly timeoutMs: number;
}

/** Resolves once ready; rejects (having stopped it) if it exits first or is not ready within timeoutMs. */
export async function untilReady(d: StartingDaemon): Promise<void> {
  const exited = d.daemon.then((r) => {
    throw new Error(`${d.name} exited during start-up (${r.exitCode}): ${d.tail()}`);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${d.name} not ready: ${d.tail()}`)), d.timeoutMs);
  });
  try {
    await Promise.race([d.ready, exited, timeout]);
  } catch (error) {
    await d.stop();
    throw error;
  } finally {
    clearTimeout(timer);
    exited.catch(() => {});
  }
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves once it has exited. */
export async function terminate(child: ResultPromise, graceMs: number): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await child.catch(() => {});
  clearTimeout(timer);
}

/** A stop function that terminates `child` and then runs `cleanUp`, the first time it is called only. */
export function stopOnce(
  child: ResultPromise,
  graceMs: number,
  cleanUp: () => Promise<void>,
): () => Promise<void> {
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    await terminate(child, graceMs);
    await cleanUp();
  };
}
