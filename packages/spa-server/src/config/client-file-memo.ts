/** What the last read of the clients directory found in each file, by path and stamp: a reload (and, through stateDir's clients-dir cache, a restart) reads only files that changed. @module */
import type { ClientConfig } from 'spa-config/server-config';
import type { ClientFileResult } from './client-file.js';

/**
 * A file changed this recently (ms) when it was read may change again within the same tick of the
 * file-system clock (1-10 ms on Linux before 6.13), same size and inode, without its stamp changing:
 * it is read again next time ("racily clean", as git calls it), never vouched for by its stamp.
 */
const RACY_MS = 2000;
/** A suffix no lstat stamp has: the memo and the clients-dir cache never match a racy read. */
const RACY = ':racy';

/**
 * What the last read found in each file, by path and by the file's identity: device, inode, size,
 * mode, and mtime and ctime (ms, to a quarter of a microsecond). A reload reads and validates only files whose identity
 * changed; the others cost one lstat and give the same ClientConfig object as before.
 */
export class ClientFileMemo {
  #byPath = new Map<string, { readonly stamp: string; readonly result: ClientFileResult }>();
  #seen = new Map<string, { readonly stamp: string; readonly result: ClientFileResult }>();
  #changed = false;
  #generation = 0;
  readonly #racyMs: number;

  /** `racyMs`: how recent a change makes a read racy (tests of stamps on files just written pass 0). */
  constructor(options: { readonly racyMs?: number } = {}) {
    this.#racyMs = options.racyMs ?? RACY_MS;
  }

  /** Bumped by each complete read that read a file or found one gone: what a saved copy compares. */
  get generation(): number {
    return this.#generation;
  }

  get size(): number {
    return this.#byPath.size;
  }

  /**
   * What an earlier run read and validated (stateDir's clients-dir cache), before this memo's first
   * read: a file whose stamp is still `stamp` is not read again.
   */
  seed(path: string, stamp: string, client: ClientConfig): void {
    this.#byPath.set(path, { stamp, result: { ok: true, client } });
  }

  /** The files the last complete read accepted, with their stamps; racy reads (never matched) left out. */
  *accepted(): Generator<{ readonly path: string; readonly stamp: string; readonly client: ClientConfig }> {
    for (const [path, { stamp, result }] of this.#byPath)
      if (result.ok && !stamp.endsWith(RACY)) yield { path, stamp, client: result.client };
  }

  /** `stamp` is asked for only when the path was read before: a first load makes no lstat. */
  get(path: string, stamp: (path: string) => string): ClientFileResult | undefined {
    const known = this.#byPath.get(path);
    if (known === undefined || known.stamp !== stamp(path)) return undefined;
    this.#seen.set(path, known);
    return known.result;
  }

  /** `changedMs`: the file's ctime when read; a change that recent makes the entry never match. */
  set(path: string, stamp: string, result: ClientFileResult, changedMs?: number): void {
    const racy = changedMs !== undefined && changedMs >= Date.now() - this.#racyMs;
    this.#seen.set(path, { stamp: racy ? `${stamp}${RACY}` : stamp, result });
    this.#changed = true;
  }

  /** After a complete read: forgets the files that are gone. */
  commit(): void {
    if (this.#changed || this.#seen.size !== this.#byPath.size) this.#generation++;
    this.#changed = false;
    this.#byPath = this.#seen;
    this.#seen = new Map();
  }
}
