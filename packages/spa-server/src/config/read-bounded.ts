/** Reads server.json or the authorized-keys file: a regular file nobody else may write, of bounded size, checked on the descriptor read. @module */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { configError, isServerError, SERVER_ERROR_CODES, type ServerError } from '../shared/server-error.js';
import { describeFsError, WORLD_WRITABLE } from './clients-dir.js';

/** O_NONBLOCK: a FIFO in the file's place must not hang a start or a reload (it is then refused). */
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * The file's text, or CONFIG_INVALID with one problem naming `path`. Refused: anything but a regular
 * file, a file larger than `limit`, and a world-writable one: whoever may write server.json or the
 * authorized keys may add a client or a hook command (clients-dir.ts refuses the same in clientsDir).
 * The checks are made on the open descriptor, so the file checked is the file read.
 */
export async function readBounded(path: string, limit: number, what: string): Promise<string> {
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (cause) {
    throw cannotRead(path, what, cause);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw configError([`${path}: the ${what} is not a regular file`]);
    if (info.mode & WORLD_WRITABLE) throw configError([`${path}: file: is world-writable (chmod o-w)`]);
    if (info.size > limit) throw tooLarge(path, what, limit);
    const bytes = await readAtMost(handle, info.size, limit);
    if (bytes.length > limit) throw tooLarge(path, what, limit);
    return bytes.toString('utf8');
  } catch (cause) {
    if (isServerError(cause, SERVER_ERROR_CODES.configInvalid)) throw cause;
    throw cannotRead(path, what, cause);
  } finally {
    await handle.close();
  }
}

/**
 * To the end, or to one byte past `limit`: a file that grew after its fstat is never read whole.
 * The first buffer is the size fstat gave, plus the byte that tells the end was reached.
 */
async function readAtMost(handle: FileHandle, size: number, limit: number): Promise<Buffer> {
  let buffer = Buffer.allocUnsafe(Math.min(size, limit) + 1);
  let length = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
    length += bytesRead;
    if (bytesRead === 0 || length > limit) return buffer.subarray(0, length);
    if (length === buffer.length) {
      const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, limit + 1));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
  }
}

function cannotRead(path: string, what: string, cause: unknown): ServerError {
  return configError([`${path}: cannot read the ${what}: ${describeFsError(cause)}`], { cause });
}

function tooLarge(path: string, what: string, limit: number): ServerError {
  return configError([`${path}: the ${what} is larger than ${limit} bytes`]);
}
