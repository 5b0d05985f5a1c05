/** Replaces a state file whole: a crash at any point leaves the old file or the new one, never a mix. @module */
import { constants } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes `bytes` to `path`.tmp (created anew, mode 0600), syncs it, renames it over `path` and syncs
 * the directory, so the rename itself survives a power loss.
 */
export async function replaceFile(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  await rm(tmp, { force: true });
  const out = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await out.writeFile(bytes);
    await out.sync();
  } finally {
    await out.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
