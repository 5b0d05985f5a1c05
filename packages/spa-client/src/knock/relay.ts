/** Relays stdin → socket and socket → stdout with half-close in both directions, for ssh's ProxyCommand. @module */
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';

/**
 * Resolves when both directions are done: our stdin ended (sent as a FIN, the server may keep
 * talking) and the server's side ended (stdout is then flushed). Rejects with CONNECTION_LOST when
 * the connection breaks. When stdout's reader (ssh) goes away, there is no one left to relay to.
 */
export function relay(socket: Socket, input: Readable, output: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      input.unpipe(socket);
      // A stdin that has not ended (a terminal, a reader that keeps it open) would keep us alive.
      input.destroy();
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish(
        new ClientError(
          CLIENT_ERROR_CODES.connectionLost,
          `connection lost: ${error.code ?? error.message}`,
          {
            cause: error,
          },
        ),
      ),
    );
    output.on('error', () => finish()); // EPIPE: the reader is gone
    // socket.end() on stdin's end: a half-close, so a command's last output still arrives.
    input.pipe(socket, { end: true });
    socket.on('data', (chunk: Buffer) => {
      if (!output.write(chunk)) {
        socket.pause();
        output.once('drain', () => socket.resume());
      }
    });
    socket.on('end', () => {
      // The server is done sending: flush what stdout holds, then stop (ssh sees EOF when we exit).
      output.write('', () => finish());
    });
    socket.on('close', () => finish());
  });
}
