/** Reads a state file only when it is the daemon's own: a regular file, not a link, owned by its user, mode 0600 or stricter. @module */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** The file's bytes, or why it was not read; neither for a file that does not exist. */
export interface OwnFile {
  readonly bytes?: Uint8Array;
  readonly ignored?: string;
}

/**
 * Checked on the open file, not the path, so the checks and the read are about the same file.
 * Another user's file, or one anybody else may read or write, could have been planted or changed
 * by them: it is never trusted. `owner` undefined (no user ids on this platform): not compared.
 */
export async function readOwnFile(
  path: string,
  owner: number | undefined,
  maxBytes: number,
): Promise<OwnFile> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: a FIFO in its place must not hang a start.
    file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (cause) {
    const code = (cause as { code?: string } | null)?.code;
    if (code === 'ENOENT') return {};
    return { ignored: code === 'ELOOP' ? 'a symbolic link' : `cannot read (${code ?? 'error'})` };
  }
  try {
    const info = await file.stat();
    if (!info.isFile()) return { ignored: 'not a regular file' };
    if (owner !== undefined && info.uid !== owner)
      return { ignored: `owned by another user (uid ${info.uid})` };
    if (info.mode & 0o077) return { ignored: 'readable or writable by others (not 0600)' };
    if (info.size > maxBytes) return { ignored: 'too large' };
    const bytes = new Uint8Array(info.size);
    let length = 0;
    for (let n = 1; n > 0 && length < bytes.length; length += n) {
      n = (await file.read(bytes, length, bytes.length - length, null)).bytesRead;
    }
    return length === bytes.length ? { bytes } : { ignored: 'truncated or damaged' };
  } catch (cause) {
    return { ignored: `cannot read (${(cause as { code?: string } | null)?.code ?? 'error'})` };
  } finally {
    await file.close();
  }
}
