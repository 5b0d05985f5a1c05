/** Reads a replay state file (replay.bin, replay.mark) only when it is the daemon's own: a regular file, not a link, owned by its user. @module */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { describeSystemError } from '../shared/describe-system-error.js';
import { SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';

/** What a state file held, and when it was last written (start-floor.ts reads that as the last write's time). */
export interface StateFileBytes {
  readonly bytes: Uint8Array;
  readonly mtimeMs: number;
}

/*
 * O_NOFOLLOW: a link is never followed. O_NONBLOCK: a FIFO in the file's place must not hang the start.
 * On a regular file neither changes the read.
 */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * The file's bytes and mtime, both from the descriptor read; undefined when there is no file. Anything
 * else in its place (a link, a FIFO, a directory, another user's file) refuses the start with
 * STATE_FILE_UNREADABLE, as an unreadable file does. It is not read as a damaged file: the floor a
 * damaged file gets (start-floor.ts) trusts the file's mtime for when the last knock was recorded, and
 * the mtime of a file someone else put there says what they chose. Refusing keeps replay protection
 * fail-closed: no knock is accepted until an administrator has looked. `owner` undefined (no user ids
 * on this platform): not compared.
 */
export async function readStateFile(
  path: string,
  owner: number | undefined = process.getuid?.(),
): Promise<StateFileBytes | undefined> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, READ_FLAGS);
  } catch (cause) {
    const code = (cause as { code?: string } | null)?.code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw untrusted(path, 'is a symbolic link (never followed)', cause);
    throw unreadable(path, describeSystemError(cause), cause);
  }
  try {
    const info = await file.stat();
    if (!info.isFile()) throw untrusted(path, 'is not a regular file');
    if (owner !== undefined && info.uid !== owner) {
      throw untrusted(
        path,
        `is owned by uid ${info.uid}, not by the daemon's user (uid ${owner})`,
        undefined,
        owner,
      );
    }
    return { bytes: await file.readFile(), mtimeMs: info.mtimeMs };
  } catch (cause) {
    if (cause instanceof ServerError) throw cause;
    throw unreadable(path, describeSystemError(cause), cause);
  } finally {
    await file.close();
  }
}

/**
 * Not the daemon's file: one line naming it and the fix. With `owner`, the file may be the daemon's
 * own from a run as another user (root, before the unit set one): handing it back keeps its record.
 */
function untrusted(path: string, problem: string, cause?: unknown, owner?: number): ServerError {
  const fix =
    owner === undefined
      ? `remove ${path}: the daemon writes a regular file there`
      : `chown ${owner} ${path} if an earlier run of the daemon wrote it, else remove it`;
  return unreadable(path, `${problem}: not trusted (${fix})`, cause);
}

function unreadable(path: string, detail: string, cause?: unknown): ServerError {
  return new ServerError(
    SERVER_ERROR_CODES.stateFileUnreadable,
    `replay state ${path} cannot be read: ${detail}`,
    {
      cause,
    },
  );
}
