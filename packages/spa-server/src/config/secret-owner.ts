/** Who may own a secret file the daemon trusts (serverKeyFile, replay.passwordFile): the daemon's user or root. @module */
import { stat } from 'node:fs/promises';
import { describeFsError } from './clients-dir.js';

/**
 * Why `uid` may not own the file at `path`, or undefined when it may. Any other owner can replace the
 * key the daemon authenticates with (or the password it gives Redis), whatever the mode says.
 */
export function secretOwnerProblem(path: string, uid: number, owner: number): string | undefined {
  if (uid === owner || uid === 0) return undefined;
  return `${path}: is owned by uid ${uid}, not by the daemon's user (uid ${owner}) or root (chown ${owner} ${path})`;
}

/**
 * secretOwnerProblem for the file `path` names (a link followed: what it leads to is what is read).
 * By path: readPrivateKeyFile (spa-node) opens and checks the mode itself, on its own descriptor.
 */
export async function secretFileOwnerProblem(path: string, owner: number): Promise<string | undefined> {
  try {
    return secretOwnerProblem(path, (await stat(path)).uid, owner);
  } catch (cause) {
    return `${path}: cannot read: ${describeFsError(cause)}`;
  }
}
