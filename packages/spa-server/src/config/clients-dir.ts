/** The clients directory (clientsDir): one file per client, refused when unsafe, read in batches that leave the packet path running. @module */
import {
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  type Stats,
} from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ClientConfig } from 'spa-config/server-config';
import { SLICE_MS } from '../shared/turns.js';
import { CLIENT_FILE_SUFFIX, type ClientFileResult, ignoredName, parseClientFile } from './client-file.js';
import type { ClientFileMemo } from './client-file-memo.js';

/** A client file is a few hundred bytes; anything this big is a mistake (or hostile). */
export const MAX_CLIENT_FILE_BYTES = 64 << 10;
/** As many as server.json's clients may hold. */
export const MAX_CLIENT_FILES = 100_000;
/*
 * Synchronous reads are several times faster than 10,000 promise round trips through the thread
 * pool; a new key's §1 check (in the schema) costs milliseconds. Sliced by time (SLICE_MS), a reload
 * of a large fleet delays a knock by one slice, not by the whole directory.
 */
/** The mode bit that lets anyone write a file: refused on every file that can add a client. */
export const WORLD_WRITABLE = 0o002;
/*
 * One buffer for every file read (the reads are synchronous, one at a time): a fresh 64 KiB per file
 * cost 10,000 zero-filled allocations, and their garbage, per first load of a large fleet.
 */
let readBuffer: Buffer | undefined;

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
 * Files are compared on everything a write, a rename over them or a chmod changes. One flat string:
 * a template literal of eleven parts is a rope of ten nodes, kept per file from one load to the next,
 * which the collector copied for every client of a fleet. Times in ms as doubles, not BigInt ns: a
 * BigIntStats was ~1 KiB of garbage per file (a tenth of a first load's, sampled), and a double holds
 * them to a quarter of a microsecond, finer than the file system's clock; a file changed within
 * RACY of its read is read again anyway (client-file-memo.ts).
 */
export function stampOf(info: Stats, exact: () => BigIntStats): string {
  // A double holds device and inode numbers only to 2^53: some file systems (overlayfs's xino, FUSE,
  // NFS) give larger ones, where two inodes would look alike. Those files cost a BigInt stat.
  if (!Number.isSafeInteger(info.ino) || !Number.isSafeInteger(info.dev)) {
    const ids = exact();
    return [ids.dev, ids.ino, info.size, info.mode, info.mtimeMs, info.ctimeMs].join(':');
  }
  return [info.dev, info.ino, info.size, info.mode, info.mtimeMs, info.ctimeMs].join(':');
}

/**
 * Reads every `NAME.json` in `dir`. Refused, each with its own problem: a world-writable directory
 * or file (anyone could add a client), a symbolic link (never followed: it may lead out of the
 * directory), anything that is not a regular file, a file over MAX_CLIENT_FILE_BYTES, and any other
 * name that is not skipped by `ignoredName`.
 */
export async function readClientsDir(
  dir: string,
  memo?: ClientFileMemo,
  /** Told each key read from a file (not from `memo`), as soon as it is valid: see KeyCache.offer. */
  offer?: (publicKeyText: string) => void,
  /** Told each key of a file `memo` vouches for (when the key cache holds none of them). */
  offerRemembered?: (publicKeyText: string) => void,
): Promise<ClientsDir> {
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
  // join(dir, name) for each name readdir gives (never '.', '..' or one with a slash): dir is
  // normalised once, not 10,000 times with each name.
  const base = join(dir, '.');
  const prefix = base.endsWith('/') ? base : `${base}/`;
  let sliceStart = performance.now();
  for (const name of files) {
    if (performance.now() - sliceStart >= SLICE_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
    const path = prefix + name;
    const remembered = memo?.get(path, unchangedStamp);
    if (remembered?.ok) offerRemembered?.(remembered.client.publicKey);
    const result = remembered ?? readAndParse(path, name, problems, memo, offer);
    if (result === undefined) continue;
    if (result.ok) clients.push({ path, client: result.client });
    else problems.push(...result.problems);
  }
  memo?.commit();
  return { clients, problems, ignored };
}

/** A problem of the directory as a whole: the field is clientsDir. */
function refused(problem: string): ClientsDir {
  return { clients: [], problems: [`clientsDir: ${problem}`], ignored: 0 };
}

/** The stamp of the file at `path` without following a link; '' when it cannot be one a read would keep. */
function unchangedStamp(path: string): string {
  try {
    const info = lstatSync(path);
    return info.isFile() ? stampOf(info, () => lstatSync(path, { bigint: true })) : '';
  } catch {
    return '';
  }
}

/** Reads and validates one file; what it found is remembered under the stamp of the file it read. */
function readAndParse(
  path: string,
  name: string,
  problems: string[],
  memo: ClientFileMemo | undefined,
  offer: ((publicKeyText: string) => void) | undefined,
): ClientFileResult | undefined {
  const read = readClientFile(path, problems);
  if (read === undefined) return undefined;
  const result = parseClientFile(read.text, name, path);
  memo?.set(path, read.stamp, result, read.changedMs);
  if (result.ok) offer?.(result.client.publicKey);
  return result;
}

/** The file's text, or undefined after a problem. Opened without following links, checked on the open file. */
function readClientFile(
  path: string,
  problems: string[],
): { text: string; stamp: string; changedMs: number } | undefined {
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
    } else {
      // Read at most one byte past the bound: a file that grew after fstat is refused, never read whole.
      readBuffer ??= Buffer.allocUnsafe(MAX_CLIENT_FILE_BYTES + 1);
      const buffer = readBuffer;
      let length = 0;
      for (;;) {
        const want = buffer.length - length;
        const n = readSync(fd, buffer, length, want, null);
        length += n;
        // A regular file's read comes back short only at its end: no second call to be told 0.
        if (n < want || length === buffer.length) break;
      }
      if (length > MAX_CLIENT_FILE_BYTES)
        problems.push(`${path}: file: larger than ${MAX_CLIENT_FILE_BYTES} bytes`);
      else
        return {
          text: buffer.toString('utf8', 0, length),
          stamp: stampOf(info, () => fstatSync(fd, { bigint: true })),
          changedMs: info.ctimeMs,
        };
    }
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
