/** The clients directory (clientsDir): one file per client, refused when unsafe, read in batches that leave the packet path running. @module */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ClientConfig } from 'spa-config/server-config';
import { CLIENT_FILE_SUFFIX, ignoredName, parseClientFile } from './client-file.js';

/** A client file is a few hundred bytes; anything this big is a mistake (or hostile). */
export const MAX_CLIENT_FILE_BYTES = 64 << 10;
/** As many as server.json's clients may hold. */
export const MAX_CLIENT_FILES = 100_000;
/*
 * Files read between two turns of the event loop. Synchronous reads are several times faster than
 * 10,000 promise round trips through the thread pool, and a batch of them takes a few milliseconds:
 * a reload of a large fleet then delays a knock by one batch, not by the whole directory.
 */
const BATCH = 128;
const WORLD_WRITABLE = 0o002;

/** A client read from the directory, with the file it came from. */
export interface DirClient {
  readonly path: string;
  readonly client: ClientConfig;
}

export interface ClientsDir {
  /** In file-name order. */
  readonly clients: readonly DirClient[];
  /** `PATH: FIELD: what is wrong`, one per problem. */
  readonly problems: readonly string[];
  /** Dotfiles, editor and package-manager leftovers skipped. */
  readonly ignored: number;
}

/**
 * Reads every `NAME.json` in `dir`. Refused, each with its own problem: a world-writable directory
 * or file (anyone could add a client), a symbolic link (never followed: it may lead out of the
 * directory), anything that is not a regular file, a file over MAX_CLIENT_FILE_BYTES, and any other
 * name that is not skipped by `ignoredName`.
 */
export async function readClientsDir(dir: string): Promise<ClientsDir> {
  const problems: string[] = [];
  const clients: DirClient[] = [];
  let names: string[];
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) return refused(`${dir}: not a directory`);
    if (info.mode & WORLD_WRITABLE) return refused(`${dir}: is world-writable (chmod o-w)`);
    names = (await readdir(dir)).sort();
  } catch (cause) {
    return refused(`${dir}: cannot read the clients directory: ${describeFsError(cause)}`);
  }
  let ignored = 0;
  const files: string[] = [];
  for (const name of names) {
    if (ignoredName(name)) ignored++;
    else if (!name.endsWith(CLIENT_FILE_SUFFIX) || name === CLIENT_FILE_SUFFIX) {
      problems.push(
        `${join(dir, name)}: file name: not a client file (NAME${CLIENT_FILE_SUFFIX}; dotfiles and editor files are skipped)`,
      );
    } else files.push(name);
  }
  if (files.length > MAX_CLIENT_FILES) {
    return refused(`${dir}: more than ${MAX_CLIENT_FILES} client files (${files.length})`);
  }
  for (let i = 0; i < files.length; i += BATCH) {
    if (i > 0) await nextTurn();
    for (const name of files.slice(i, i + BATCH)) {
      const path = join(dir, name);
      const text = readClientFile(path, problems);
      if (text === undefined) continue;
      const result = parseClientFile(text, name, path);
      if (result.ok) clients.push({ path, client: result.client });
      else problems.push(...result.problems);
    }
  }
  return { clients, problems, ignored };
}

/** A problem of the directory as a whole: the field is clientsDir. */
function refused(problem: string): ClientsDir {
  return { clients: [], problems: [`clientsDir: ${problem}`], ignored: 0 };
}

/** The file's text, or undefined after a problem. Opened without following links, checked on the open file. */
function readClientFile(path: string, problems: string[]): string | undefined {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO placed in the directory must not hang the reload.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (cause) {
    const code = (cause as { code?: string } | null)?.code;
    problems.push(
      code === 'ELOOP'
        ? `${path}: file: is a symbolic link (not followed: copy the file into the directory)`
        : `${path}: file: cannot read: ${describeFsError(cause)}`,
    );
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) problems.push(`${path}: file: not a regular file`);
    else if (info.mode & WORLD_WRITABLE) problems.push(`${path}: file: is world-writable (chmod o-w)`);
    else if (info.size > MAX_CLIENT_FILE_BYTES) {
      problems.push(`${path}: file: larger than ${MAX_CLIENT_FILE_BYTES} bytes`);
    } else return readFileSync(fd, 'utf8');
    return undefined;
  } catch (cause) {
    problems.push(`${path}: file: cannot read: ${describeFsError(cause)}`);
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** A file-system error as a few words, without the stack or the syscall's noise. */
export function describeFsError(cause: unknown): string {
  const code = (cause as { code?: string } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ENOTDIR') return 'not a directory';
  return cause instanceof Error ? cause.message : String(cause);
}
