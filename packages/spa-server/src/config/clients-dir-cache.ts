/** The clients directory's files as the last run read and validated them, kept in stateDir across restarts, bound to the server key. @module */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import type { ClientConfig } from 'spa-config/server-config';
import { nodeBackend } from 'spa-node';
import { readOwnFile } from '../shared/read-own-file.js';
import { replaceFile } from '../shared/replace-file.js';
import { Turns } from '../shared/turns.js';
import type { ClientFileMemo } from './client-file-memo.js';

/** The file's name in stateDir. */
export const CLIENTS_DIR_CACHE_FILE = 'clients-dir.cache';
/** Bumped whenever the layout changes: a file of another format is rebuilt. */
const FORMAT = 1;
const MAGIC = new TextEncoder().encode(`spa-dircache-v${FORMAT}\n`);
const MAC_SIZE = 32;
/** A few hundred bytes a file, for as many files as a clients directory may hold. */
const MAX_BYTES = 64 << 20;
const MAC_SALT = new TextEncoder().encode(`spa-server clients-dir cache v${FORMAT}`);

/** A client entry without its name and key: what the files of one template share. */
type Shape = Omit<ClientConfig, 'name' | 'publicKey'>;
/** One accepted file: its path, its stamp, its shape (an index into `shapes`), its client's name and key. */
type Row = [path: string, stamp: string, shape: number, name: string, publicKey: string];
interface Body {
  readonly version: string;
  readonly dir: string;
  readonly shapes: Shape[];
  readonly rows: Row[];
}

/** What `open` found: how many files it vouches for, or why it ignored the cache (rewritten at the next save). */
export interface ClientsDirCacheOpened {
  readonly loaded: number;
  readonly ignored?: string | undefined;
}

/*
 * A first read of 10,000 client files costs four system calls, a JSON parse and a validation each:
 * most of a restart. A file whose stamp (device, inode, size, mode, mtime and ctime, as the reload
 * memo compares them) is the one recorded here was read and validated by an earlier run of this
 * build: it costs one lstat. The file is trusted only when its MAC, keyed from the server's secret
 * key, verifies, it is the daemon's own (0600) and it was written by the same build (version and
 * code: validation may change with either) for the same directory; anything else is ignored and
 * rebuilt. It holds configuration, no secret.
 */
export class ClientsDirCache {
  readonly #build: string | undefined;
  readonly #owner: number | undefined;
  #path: string | undefined;
  #dir: string | undefined;
  #macKey: Uint8Array | undefined;
  /** The memo generation the file holds; -1: write at the next save. */
  #saved = -1;
  #notice: ClientsDirCacheOpened | undefined;

  /**
   * `build`: the daemon's version and code (cli/version.ts BUILD_ID); undefined keeps no cache (sources
   * run unbundled, where nothing marks a change of code). `owner`: the file's user.
   */
  constructor(build: string | undefined, owner: number | undefined = process.getuid?.()) {
    this.#build = build;
    this.#owner = owner;
  }

  /** What the last open that read the file found, once: for the one log line a start gives. */
  takeNotice(): ClientsDirCacheOpened | undefined {
    const notice = this.#notice;
    this.#notice = undefined;
    return notice;
  }

  /**
   * Binds the cache to stateDir, the server key and the clients directory; on the memo's first use,
   * seeds it with the files the cache vouches for. Undefined when nothing was read (a reload).
   */
  async open(
    stateDir: string,
    serverSecretKey: Uint8Array,
    dir: string,
    memo: ClientFileMemo,
  ): Promise<ClientsDirCacheOpened | undefined> {
    if (this.#build === undefined) return undefined;
    this.#notice = await this.#open(stateDir, serverSecretKey, dir, memo);
    return this.#notice;
  }

  async #open(
    stateDir: string,
    serverSecretKey: Uint8Array,
    dir: string,
    memo: ClientFileMemo,
  ): Promise<ClientsDirCacheOpened | undefined> {
    const path = join(stateDir, CLIENTS_DIR_CACHE_FILE);
    const macKey = new Uint8Array(
      hkdfSync('sha256', serverSecretKey, MAC_SALT, nodeBackend.x25519PublicKey(serverSecretKey), 32),
    );
    const same = this.#path === path && this.#dir === dir && this.#macKey && sameBytes(this.#macKey, macKey);
    if (!same) this.#saved = -1;
    this.#path = path;
    this.#dir = dir;
    this.#macKey = macKey;
    if (memo.size > 0 || memo.generation > 0) return undefined;
    const read = await readOwnFile(path, this.#owner, MAX_BYTES);
    if (read.ignored !== undefined || !read.bytes) return { loaded: 0, ignored: read.ignored };
    const body = this.#decode(read.bytes);
    if (typeof body === 'string') return { loaded: 0, ignored: body };
    // Shared by every file of the shape, as spa-config's ClientShapes shares them: frozen.
    for (const shape of body.shapes) {
      for (const value of Object.values(shape)) if (Array.isArray(value)) Object.freeze(value);
      Object.freeze(shape);
    }
    for (const [file, stamp, shape, name, publicKey] of body.rows) {
      memo.seed(file, stamp, { ...body.shapes[shape]!, name, publicKey });
    }
    // The memo holds what the file does: nothing to write until a read changes it.
    this.#saved = memo.generation;
    return { loaded: body.rows.length };
  }

  /** Writes the files the memo accepted, when they changed since the file was read or written. */
  async save(memo: ClientFileMemo): Promise<void> {
    const [path, dir, macKey, generation] = [this.#path, this.#dir, this.#macKey, memo.generation];
    if (path === undefined || dir === undefined || !macKey || generation === this.#saved) return;
    // In slices: a fleet's 10,000 rows in one piece would stall the packet path's thread.
    const turns = new Turns();
    const shapes = new Map<string, number>();
    const rows: string[] = [];
    for (const { path: file, stamp, client } of memo.accepted()) {
      const { name, publicKey, ...shape } = client;
      const key = JSON.stringify(shape);
      let index = shapes.get(key);
      if (index === undefined) {
        index = shapes.size;
        shapes.set(key, index);
      }
      rows.push(JSON.stringify([file, stamp, index, name, publicKey] satisfies Row));
      if (turns.due()) await turns.pause();
    }
    const text = `{"version":${JSON.stringify(this.#build)},"dir":${JSON.stringify(dir)},"shapes":[${[...shapes.keys()].join(',')}],"rows":[${rows.join(',')}]}`;
    const json = new TextEncoder().encode(text);
    const bytes = new Uint8Array(MAGIC.length + json.length + MAC_SIZE);
    bytes.set(MAGIC);
    bytes.set(json, MAGIC.length);
    bytes.set(mac(macKey, bytes.subarray(0, MAGIC.length + json.length)), MAGIC.length + json.length);
    await replaceFile(path, bytes);
    // Opened meanwhile for another directory or key: that one's file is written at its own save.
    if (this.#macKey === macKey) this.#saved = generation;
  }

  /** The body, or why the file cannot be trusted. */
  #decode(bytes: Uint8Array): Body | string {
    if (bytes.length < MAGIC.length + MAC_SIZE || !sameBytes(bytes.subarray(0, MAGIC.length), MAGIC)) {
      return 'not a clients-dir cache of this format';
    }
    const end = bytes.length - MAC_SIZE;
    if (!timingSafeEqual(mac(this.#macKey!, bytes.subarray(0, end)), bytes.subarray(end))) {
      return 'checksum mismatch';
    }
    let body: Body;
    try {
      body = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length, end))) as Body;
    } catch {
      return 'truncated or damaged';
    }
    // Only a holder of the server key writes a MAC that verifies; still, a start must not crash on it.
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'truncated or damaged';
    if (body.version !== this.#build) return 'written by another build';
    if (body.dir !== this.#dir) return 'written for another clients directory';
    if (!Array.isArray(body.shapes) || !Array.isArray(body.rows)) return 'truncated or damaged';
    const { shapes, rows } = body;
    if (!shapes.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v)))
      return 'truncated or damaged';
    if (!rows.every((row) => wellFormedRow(row, shapes.length))) return 'truncated or damaged';
    return body;
  }
}

function wellFormedRow(row: unknown, shapes: number): boolean {
  if (!Array.isArray(row) || row.length !== 5) return false;
  const [path, stamp, shape, name, publicKey] = row as unknown[];
  return (
    typeof path === 'string' &&
    typeof stamp === 'string' &&
    Number.isInteger(shape) &&
    (shape as number) >= 0 &&
    (shape as number) < shapes &&
    typeof name === 'string' &&
    typeof publicKey === 'string'
  );
}

function mac(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(data).digest());
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
