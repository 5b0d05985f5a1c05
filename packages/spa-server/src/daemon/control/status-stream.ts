/** Writes a status answer with any number of grants in slices, so 100,000 grants are never one string in the daemon. @module */
import type { Socket } from 'node:net';
import type { DaemonStatusSource } from './control-messages.js';

/** Grants serialised per slice; the event loop turns between slices. */
export const STATUS_SLICE = 1024;

/**
 * The same line `JSON.stringify(status)` would give, written slice by slice: each waits for the socket
 * to drain, so a slow reader holds back the daemon's work, not its memory. Ends the socket.
 */
export async function writeStatus(
  socket: Socket,
  status: DaemonStatusSource,
  withGrants: boolean,
): Promise<void> {
  const { grants, ...head } = status;
  const opening = JSON.stringify(head);
  if (!withGrants) {
    socket.end(`${opening}\n`);
    return;
  }
  let first = true;
  let slice: string[] = [];
  const flush = async (): Promise<void> => {
    const text = (first ? '' : ',') + slice.join(',');
    first = false;
    slice = [];
    if (!socket.write(text)) await drained(socket);
    else await new Promise((resolve) => setImmediate(resolve));
  };
  socket.write(`${opening.slice(0, -1)},"grants":[`);
  for (const grant of grants) {
    if (socket.destroyed) return;
    slice.push(JSON.stringify(grant));
    if (slice.length >= STATUS_SLICE) await flush();
  }
  if (slice.length > 0) await flush();
  socket.end(']}\n');
}

function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
