/** Asking the running daemon over its control socket (`status`, `flush`): "no daemon" is an answer, anything unclear is an error. @module */
import { connect } from 'node:net';
import { describeSystemError } from '../../shared/describe-system-error.js';
import { type ControlOp, type ControlResponse, controlSocketPath } from './control-messages.js';

export type DaemonAnswer =
  | { readonly running: false }
  | { readonly running: true; readonly response: ControlResponse };

/** Its whole ledger in one line: 2 × 65,536 grants of ~120 bytes. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * Sends one request to the daemon of `stateDir`. No socket, or a socket nobody answers on (a crash
 * left it), means no daemon runs. Any other failure rejects: a caller that would remove protection
 * must not guess that no daemon runs.
 */
export function askDaemon(
  stateDir: string,
  op: ControlOp,
  timeoutMs = 10_000,
  fields: { readonly grants?: boolean } = {},
): Promise<DaemonAnswer> {
  const path = controlSocketPath(stateDir);
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    // Bytes, decoded once at the end: 100,000 grants are ~12 MB, which as a string built chunk by
    // chunk cost a decoder pass per chunk and a rope that JSON.parse flattened again.
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(new Error(`daemon control socket ${path}: ${message}`));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => socket.write(`${JSON.stringify({ op, ...fields })}\n`));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes > MAX_RESPONSE_BYTES) fail('answer too large');
    });
    socket.once('end', () => {
      if (settled) return;
      let response: ControlResponse;
      try {
        response = JSON.parse(Buffer.concat(chunks, bytes).toString('utf8')) as ControlResponse;
      } catch {
        return fail('the answer is not JSON');
      }
      settled = true;
      socket.destroy();
      resolve({ running: true, response });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
        settled = true;
        resolve({ running: false });
      } else fail(describeSystemError(error));
    });
  });
}
