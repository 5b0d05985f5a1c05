/** Writes the profile file whole or not at all: a temporary file (0600) in the same directory, synced, then renamed over it. @module */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { makeDirectory } from 'spa-node';

/**
 * A profile names key files and the servers a user can reach: nobody else needs to read it, so the
 * file is 0600 whatever the umask. A crash leaves the old file or the new one, never half of one
 * (rename is atomic within a directory); a leftover `.NAME.*.tmp` is all that can remain.
 */
export async function writeProfileFile(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  // ~/.config/spa may not exist yet; like ~/.ssh, nobody else needs to list it.
  await makeDirectory(dir);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    try {
      await handle.chmod(0o600);
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  // The rename itself is durable only once the directory is synced.
  const directory = await open(dir, 'r').catch(() => undefined);
  await directory
    ?.sync()
    .catch(() => undefined)
    .finally(() => directory.close());
}
