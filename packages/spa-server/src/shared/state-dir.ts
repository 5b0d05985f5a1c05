/** stateDir at start: created 0700 when missing, refused when anyone but the daemon's user could change what is in it. @module */
import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { makeDirectory } from 'spa-node';
import { describeSystemError } from './describe-system-error.js';
import { configError, SERVER_ERROR_CODES, ServerError } from './server-error.js';

const GROUP_OR_OTHERS_WRITABLE = 0o022;

/**
 * Whoever can write stateDir can replace what the daemon trusts in it: the replay state (which knocks
 * were spent: a file swapped makes the next start accept replays), the control socket, the files of a
 * firewall update. So it must be a directory itself (a link is never followed: whoever owns where it
 * leads decides what is in it), owned by `owner` (default: the daemon's user) and writable by nobody
 * else. A refusal is CONFIG_INVALID, one line naming stateDir and the fix; a directory that cannot be
 * created is STATE_DIR_UNWRITABLE, as before. `owner` undefined (no user ids on this platform): no
 * owner or mode to compare.
 */
export async function prepareStateDir(
  dir: string,
  owner: number | undefined = process.getuid?.(),
): Promise<void> {
  // Before makeDirectory, which follows a link to a directory and would accept it.
  if ((await lstatOrNothing(dir))?.isSymbolicLink())
    throw refused(dir, 'is a symbolic link (name the directory itself)');
  try {
    await makeDirectory(dir);
  } catch (cause) {
    throw new ServerError(
      SERVER_ERROR_CODES.stateDirUnwritable,
      `stateDir ${dir} cannot be created: ${describeSystemError(cause)}`,
      { cause },
    );
  }
  const info = await lstatOrNothing(dir);
  // Replaced by a link or removed between the two looks: only someone else can have done that.
  if (!info?.isDirectory())
    throw refused(dir, 'changed while it was prepared (is another process using it?)');
  if (owner === undefined) return;
  if (info.uid !== owner) {
    throw refused(
      dir,
      `is owned by uid ${info.uid}, not by the daemon's user (uid ${owner}) (chown ${owner} ${dir})`,
    );
  }
  if (info.mode & GROUP_OR_OTHERS_WRITABLE) throw refused(dir, 'is writable by group or others (chmod 700)');
}

/**
 * What `spa-server check` can tell of stateDir without creating it or knowing the daemon's user
 * (check often runs as root, the daemon as its own): a link, not a directory, or writable by group or
 * others is the start's refusal too. A missing one is fine: the start creates it.
 */
export async function stateDirProblem(dir: string): Promise<string | undefined> {
  const info = await lstatOrNothing(dir);
  if (info === undefined) return undefined;
  if (info.isSymbolicLink()) return `stateDir: ${dir}: is a symbolic link (name the directory itself)`;
  if (!info.isDirectory())
    return `stateDir: ${dir}: is not a directory (name a directory, or a path the daemon may create)`;
  if (info.mode & GROUP_OR_OTHERS_WRITABLE)
    return `stateDir: ${dir}: is writable by group or others (chmod 700)`;
  return undefined;
}

function refused(dir: string, problem: string): ServerError {
  return configError([`stateDir: ${dir}: ${problem}`]);
}

/** The entry itself (a link is not followed); undefined when it cannot be looked at, which makeDirectory then reports. */
async function lstatOrNothing(dir: string): Promise<Stats | undefined> {
  try {
    return await lstat(dir);
  } catch {
    return undefined;
  }
}
