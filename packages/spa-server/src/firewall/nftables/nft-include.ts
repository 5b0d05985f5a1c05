/** Merged grant transactions handed to the long-lived `nft -i` as an `include` of a private file, so nft reads them in blocks. @module */
import { lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JoinedBatch } from '../process/batch-merge.js';

/** A path nft's `include "…"` takes as it is: no quote, backslash or newline to escape. */
const PLAIN_PATH = /^[\w./-]+$/;

/**
 * `nft -i` reads its input through libedit, one byte per read(2): about 250 system calls per grant.
 * An `include` line makes nft read the named file with its scanner, in 4 KiB reads, and the line with
 * the file is still one transaction, all or nothing. The files live in a directory of our own (0700,
 * made by mkdtemp in `parent`: the daemon's stateDir, itself 0700; files 0600 and created
 * exclusively), so nobody else can put commands in them. The directory is checked before every file
 * (ours, 0700, not a link): one that a temp cleaner removed and someone else made again under the
 * same name is never written into. When no such directory can be made, the merged commands go
 * inline, as one line.
 */
export class NftIncludeFiles {
  readonly #parent: string;
  #dir: string | undefined;
  #failed = false;
  #next = 0;

  /** One transaction of several transaction lines: an include of a file holding them, or the lines joined. */
  readonly join = (lines: readonly string[]): JoinedBatch => {
    const dir = this.#directory();
    if (dir === undefined) return { text: lines.join('; ') };
    const file = join(dir, `merge-${++this.#next}.nft`);
    try {
      // Synchronous: a few KiB to the page cache, cheaper than two thread-pool hops per merge.
      writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
    } catch {
      return { text: lines.join('; ') };
    }
    return { text: `include "${file}"`, release: () => rmSync(file, { force: true }) };
  };

  /** Removes the directory and whatever is left in it. */
  close(): void {
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }

  constructor(parent: string = tmpdir()) {
    this.#parent = parent;
  }

  #directory(): string | undefined {
    if (this.#dir !== undefined && !isOurs(this.#dir)) this.#dir = undefined; // not removed: not ours
    if (this.#dir !== undefined || this.#failed) return this.#dir;
    try {
      const dir = mkdtempSync(join(this.#parent, 'spa-nft-'));
      if (PLAIN_PATH.test(dir)) this.#dir = dir;
      else {
        rmSync(dir, { recursive: true, force: true });
        this.#failed = true;
      }
    } catch {
      this.#failed = true;
    }
    return this.#dir;
  }
}

/** A directory (not a link) owned by this process's user and closed to everyone else. */
function isOurs(dir: string): boolean {
  try {
    const info = lstatSync(dir);
    return info.isDirectory() && info.uid === process.getuid?.() && (info.mode & 0o077) === 0;
  } catch {
    return false;
  }
}
