/** replay.passwordFile and replay.caFile: read at load, the password file refused when others may read it or own it. @module */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ServerConfig } from 'spa-config/server-config';
import { assertOwnerOnly } from 'spa-node';
import { secretOwnerProblem } from './secret-owner.js';

/** A password or a few CA certificates; anything larger is the wrong file. */
export const MAX_REDIS_FILE_BYTES = 64 * 1024;
/** O_NONBLOCK: a FIFO named as either file must not hang a start or a reload (it is then refused). */
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

export interface RedisSecrets {
  readonly password?: string | undefined;
  readonly ca?: string | undefined;
}

/**
 * Reads the files the replay section names, relative to `base`. Each problem is one line naming the
 * field; the password itself never appears in one. With `owner` (the daemon's user: ConfigReuse), the
 * password file must be that user's or root's, as the server key must.
 */
export async function readRedisSecrets(
  replay: ServerConfig['replay'],
  base: string,
  problems: string[],
  owner?: number,
): Promise<RedisSecrets> {
  const password =
    replay.passwordFile === undefined
      ? undefined
      : await readSmall('replay.passwordFile', resolve(base, replay.passwordFile), problems, { owner });
  const ca =
    replay.caFile === undefined
      ? undefined
      : await readSmall('replay.caFile', resolve(base, replay.caFile), problems);
  // One trailing newline is how editors and `echo` end a file; it is not part of the password.
  return { password: password?.replace(/\r?\n$/, ''), ca };
}

/** `secret`: a password, whose file only its owner may access; with `owner`, only that user or root may own it. */
async function readSmall(
  field: string,
  path: string,
  problems: string[],
  secret?: { readonly owner: number | undefined },
): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, READ_FLAGS);
    // Mode and owner are read from the descriptor that is then read: no window between check and read.
    const info = await handle.stat();
    if (!info.isFile()) throw new Error(`${path} is not a regular file`);
    if (info.size > MAX_REDIS_FILE_BYTES)
      throw new Error(`${path} is larger than ${MAX_REDIS_FILE_BYTES} bytes`);
    if (secret) assertOwnerOnly(path, info.mode);
    const foreign =
      secret?.owner === undefined ? undefined : secretOwnerProblem(path, info.uid, secret.owner);
    if (foreign) throw new Error(foreign);
    const text = await handle.readFile('utf8');
    if (secret && text.replace(/\r?\n$/, '') === '') throw new Error(`${path} is empty`);
    return text;
  } catch (cause) {
    const code = (cause as { code?: string } | null)?.code;
    const detail =
      code === 'ENOENT'
        ? `${path}: no such file`
        : code === 'EACCES'
          ? `${path}: permission denied`
          : cause instanceof Error
            ? cause.message.replace(/^key file /, 'file ')
            : String(cause);
    problems.push(`${field}: ${detail}`);
    return undefined;
  } finally {
    await handle?.close();
  }
}
