/** replay.passwordFile and replay.caFile: read at load, the password file refused when others may read it. @module */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ServerConfig } from 'spa-config/server-config';
import { assertOwnerOnly } from 'spa-node';

/** A password or a few CA certificates; anything larger is the wrong file. */
export const MAX_REDIS_FILE_BYTES = 64 * 1024;

export interface RedisSecrets {
  readonly password?: string | undefined;
  readonly ca?: string | undefined;
}

/**
 * Reads the files the replay section names, relative to `base`. Each problem is one line naming the
 * field; the password itself never appears in one.
 */
export async function readRedisSecrets(
  replay: ServerConfig['replay'],
  base: string,
  problems: string[],
): Promise<RedisSecrets> {
  const password =
    replay.passwordFile === undefined
      ? undefined
      : await readSmall('replay.passwordFile', resolve(base, replay.passwordFile), true, problems);
  const ca =
    replay.caFile === undefined
      ? undefined
      : await readSmall('replay.caFile', resolve(base, replay.caFile), false, problems);
  // One trailing newline is how editors and `echo` end a file; it is not part of the password.
  return { password: password?.replace(/\r?\n$/, ''), ca };
}

async function readSmall(
  field: string,
  path: string,
  secret: boolean,
  problems: string[],
): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    // The mode is read from the descriptor that is then read: no window between check and read.
    const info = await handle.stat();
    if (!info.isFile()) throw new Error(`${path} is not a regular file`);
    if (info.size > MAX_REDIS_FILE_BYTES)
      throw new Error(`${path} is larger than ${MAX_REDIS_FILE_BYTES} bytes`);
    if (secret) assertOwnerOnly(path, info.mode);
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
