/** The replay store's run record on disk: a clean-stop flag and a high-water mark every accepted knock lies below, in two checksummed slots. @module */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describeSystemError } from '../shared/describe-system-error.js';
import { replaceFile } from '../shared/replace-file.js';
import { SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';
import { readStateFile } from './read-state-file.js';

/*
 * Layout (all big-endian), one slot at offset 0 and one at SLOT_STRIDE, a sector apart:
 *   slot: "SPAMARK1" | seq u32 | flags u32 (bit 0: clean stop) | markMs f64 | crc32(previous 24 bytes) = 28 bytes
 * Each write goes to the slot the newest one is not in, so a write torn by a power loss leaves the
 * previous slot intact: the newest valid slot is always a state that was once durable.
 */
const MAGIC = new TextEncoder().encode('SPAMARK1');
export const SLOT_SIZE = 28;
const SLOT_STRIDE = 512;
const FILE_SIZE = SLOT_STRIDE + SLOT_SIZE;
const CLEAN = 1;
export const MARK_FILE = 'replay.mark';

export interface MarkState {
  readonly seq: number;
  /** The previous run stopped cleanly: replay.bin was written whole and synced before this slot. */
  readonly clean: boolean;
  /** No knock with a timestamp at or above this was accepted by the run that wrote it. */
  readonly markMs: number;
}

export interface LoadedMarkFile {
  readonly exists: boolean;
  /** The newest valid slot; undefined when the file is absent or neither slot checks out. */
  readonly state: MarkState | undefined;
  /** Last modification of the file: the latest moment a mark was written. */
  readonly mtimeMs: number;
}

export function encodeSlot(state: MarkState): Uint8Array {
  const out = new Uint8Array(SLOT_SIZE);
  out.set(MAGIC);
  const view = new DataView(out.buffer);
  view.setUint32(8, state.seq);
  view.setUint32(12, state.clean ? CLEAN : 0);
  view.setFloat64(16, state.markMs);
  view.setUint32(24, crc32(out.subarray(0, 24)));
  return out;
}

/** The newest slot that checks out. Never throws: a slot it cannot vouch for is skipped. */
export function decodeMarkFile(bytes: Uint8Array): MarkState | undefined {
  let newest: MarkState | undefined;
  for (const at of [0, SLOT_STRIDE]) {
    if (at + SLOT_SIZE > bytes.length) continue;
    const slot = bytes.subarray(at, at + SLOT_SIZE);
    const view = new DataView(slot.buffer, slot.byteOffset, SLOT_SIZE);
    if (!MAGIC.every((b, i) => slot[i] === b) || view.getUint32(24) !== crc32(slot.subarray(0, 24))) continue;
    const markMs = view.getFloat64(16);
    if (!Number.isSafeInteger(markMs)) continue;
    const state = { seq: view.getUint32(8), clean: (view.getUint32(12) & CLEAN) !== 0, markMs };
    if (!newest || state.seq > newest.seq) newest = state;
  }
  return newest;
}

/** The open mark file; one per stateDir. Callers serialise writes. */
export class MarkFile {
  readonly path: string;
  #handle: FileHandle | undefined;
  #seq = 0;

  constructor(dir: string) {
    this.path = join(dir, MARK_FILE);
  }

  /** Refuses (STATE_FILE_UNREADABLE) a file that is not the daemon's own: see readStateFile. */
  async load(): Promise<LoadedMarkFile> {
    const read = await readStateFile(this.path);
    if (!read) return { exists: false, state: undefined, mtimeMs: 0 };
    const state = decodeMarkFile(read.bytes);
    this.#seq = state?.seq ?? 0;
    return { exists: true, state, mtimeMs: read.mtimeMs };
  }

  /**
   * Replaces the whole file with one slot (the run has started: not clean) and keeps it open. Done
   * once, at start: the rename and the directory are synced, so the clean flag is gone for good
   * before the first knock is accepted.
   */
  async begin(markMs: number): Promise<void> {
    const bytes = new Uint8Array(FILE_SIZE);
    this.#seq += 1;
    bytes.set(encodeSlot({ seq: this.#seq, clean: false, markMs }), (this.#seq % 2) * SLOT_STRIDE);
    await this.#guard(async () => {
      await replaceFile(this.path, bytes);
      const previous = this.#handle;
      // The file just renamed into place, never one a link put there since leads to.
      this.#handle = await open(this.path, constants.O_RDWR | constants.O_NOFOLLOW);
      await previous?.close();
    });
  }

  /** Writes the next slot and returns once it is on stable storage (fdatasync). */
  async write(markMs: number, clean: boolean): Promise<void> {
    const handle = this.#handle;
    if (!handle) throw new Error('mark file is not open');
    const seq = this.#seq + 1;
    await this.#guard(async () => {
      await handle.write(encodeSlot({ seq, clean, markMs }), 0, SLOT_SIZE, (seq % 2) * SLOT_STRIDE);
      await handle.datasync();
    });
    this.#seq = seq;
  }

  async close(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
  }

  async #guard(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (cause) {
      throw new ServerError(
        SERVER_ERROR_CODES.stateDirUnwritable,
        `replay state ${this.path} cannot be written: ${describeSystemError(cause)}`,
        { cause },
      );
    }
  }
}
