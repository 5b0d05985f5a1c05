/** mkdir -p that always returns: each missing level created once, top-down, instead of Node's recursive mkdir. @module */
import { promises as fsp } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Creates `dir` and its missing parents with `mode`, like `mkdir -p`, and checks that `dir` is a
 * directory. Why not `mkdir(dir, { recursive: true })`: on Node 20 it never settles when mkdir says
 * ENOENT although the parent exists (anywhere under /proc or /sys), spinning a thread-pool thread
 * forever: `spa-client keygen --out /proc/x/key` and a daemon with stateDir under /proc hung silently.
 * Rejects with the system error (code ENOENT, EACCES, ENOTDIR, ...) of the first level that fails.
 * `fs.promises` is read at call time: a static node:fs/promises import would load it (~3 ms) in every
 * process that bundles this module, a knock included, which never creates a directory.
 */
export async function makeDirectory(dir: string, mode = 0o700): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    if (await exists(at)) break;
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (const level of missing.reverse()) {
    try {
      await fsp.mkdir(level, { mode });
    } catch (error) {
      // Someone else created it meanwhile: fine, as long as it is a directory (checked below).
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const info = await fsp.stat(dir);
  if (!info.isDirectory()) {
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), {
      code: 'ENOTDIR',
      path: dir,
    });
  }
}

/** False only for ENOENT (a dangling symlink included); other errors (EACCES, ENOTDIR) are thrown. */
async function exists(path: string): Promise<boolean> {
  try {
    await fsp.stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
