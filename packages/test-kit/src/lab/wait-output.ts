/** Waits until a child process prints a given text on stdout or stderr, failing early if it exits first. @module */
import type { ResultPromise } from 'execa';

/** Resolves once `text` has appeared on the child's `stream`; rejects (and kills it) on timeout or early exit. */
export function waitForOutput(
  child: ResultPromise,
  stream: 'stdout' | 'stderr',
  text: string,
  timeoutMs = 5000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`${why} before printing "${text}": ${seen.trim().slice(-500)}`));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`no output within ${timeoutMs} ms`);
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        child[stream]?.off('data', onData);
        resolve();
      }
    };
    child[stream]?.on('data', onData);
    // Settled promises ignore a later reject, so this only matters when the child dies first.
    child.then(
      (result) => fail(`exited with ${result.exitCode ?? result.signal}`),
      (error: unknown) => fail(`failed: ${String(error)}`),
    );
  });
}
