/** One TCP connection attempt with a deadline: the connected socket, or closed (RST) / filtered (silence). @module */
import { connect, type Socket } from 'node:net';

export type AttemptResult =
  | { readonly state: 'open'; readonly socket: Socket; readonly connectedAt: number }
  | { readonly state: 'closed' | 'filtered'; readonly detail: string };

/** allowHalfOpen: the relay half-closes towards the server when its stdin ends, and keeps reading. */
export function attemptTcp(
  address: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<AttemptResult> {
  return new Promise<AttemptResult>((resolve) => {
    const socket = connect({ host: address, port, allowHalfOpen: true, noDelay: true });
    const timer = setTimeout(() => done({ state: 'filtered', detail: 'no answer' }), timeoutMs);
    // Another attempt won: this one ends now, so nothing keeps the process (or a half-open SYN) around.
    const abort = (): void => done({ state: 'filtered', detail: 'aborted' });
    signal?.addEventListener('abort', abort, { once: true });
    const done = (result: AttemptResult): void => {
      signal?.removeEventListener('abort', abort);
      clearTimeout(timer);
      socket.removeAllListeners('connect');
      socket.removeAllListeners('error');
      if (result.state !== 'open') socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done({ state: 'open', socket, connectedAt: performance.now() }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done({
        state: error.code === 'ECONNREFUSED' ? 'closed' : 'filtered',
        detail: error.code ?? error.message,
      }),
    );
  });
}
