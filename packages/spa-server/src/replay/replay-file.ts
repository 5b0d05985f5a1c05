/** The replay store on disk: a checksummed header and fixed-size checksummed records, appended unsynced, compacted (synced) by rename. @module */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { KEY_ID_SIZE, NONCE_SIZE } from 'spa-protocol';
import { describeSystemError } from '../shared/describe-system-error.js';
import { replaceFile } from '../shared/replace-file.js';
import { SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';
import { prepareStateDir } from '../shared/state-dir.js';
import { readStateFile } from './read-state-file.js';

/*
 * Layout (all big-endian):
 *   header: "SPAREPL1" | floorMs f64 | crc32(previous 16 bytes)                     = 20 bytes
 *   record: keyId 16 | nonce 16 | timestampMs f64 | crc32(previous 40 bytes)        = 44 bytes
 * Timestamps are at most 2^53 − 1 (§5.1), which a float64 holds exactly.
 */
const MAGIC = new TextEncoder().encode('SPAREPL1');
export const HEADER_SIZE = 20;
export const RECORD_SIZE = 44;
const ID_SIZE = KEY_ID_SIZE + NONCE_SIZE;
export const STATE_FILE = 'replay.bin';
/** Appends go to the file just renamed into place, never through a link put there since. */
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

export interface ReplayRecord {
  /** keyId || nonce, 32 bytes (§5.2). */
  readonly id: Uint8Array;
  readonly timestampMs: number;
}

export interface LoadedReplayFile {
  readonly exists: boolean;
  readonly floorMs: number;
  readonly records: ReplayRecord[];
  /** Why the file cannot be fully trusted (bad header, bad checksum, torn tail); undefined when clean. */
  readonly damage: string | undefined;
  /** Last modification of the file: the latest moment a record was written. */
  readonly mtimeMs: number;
}

export function encodeHeader(floorMs: number): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  out.set(MAGIC);
  const view = new DataView(out.buffer);
  view.setFloat64(8, floorMs);
  view.setUint32(16, crc32(out.subarray(0, 16)));
  return out;
}

export function encodeRecord(
  record: ReplayRecord,
  out: Uint8Array = new Uint8Array(RECORD_SIZE),
  at = 0,
): Uint8Array {
  const slot = out.subarray(at, at + RECORD_SIZE);
  slot.set(record.id);
  const view = new DataView(slot.buffer, slot.byteOffset, RECORD_SIZE);
  view.setFloat64(ID_SIZE, record.timestampMs);
  view.setUint32(ID_SIZE + 8, crc32(slot.subarray(0, ID_SIZE + 8)));
  return out;
}

/** Parses the file bytes. Never throws: anything it cannot vouch for is reported as damage. */
export function decodeReplayFile(bytes: Uint8Array): {
  floorMs: number;
  records: ReplayRecord[];
  damage?: string;
} {
  if (bytes.length < HEADER_SIZE) return { floorMs: 0, records: [], damage: 'header truncated' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicOk = MAGIC.every((b, i) => bytes[i] === b);
  if (!magicOk || view.getUint32(16) !== crc32(bytes.subarray(0, 16))) {
    return { floorMs: 0, records: [], damage: 'bad header' };
  }
  const floorMs = view.getFloat64(8);
  const records: ReplayRecord[] = [];
  let bad = 0;
  let at = HEADER_SIZE;
  for (; at + RECORD_SIZE <= bytes.length; at += RECORD_SIZE) {
    const ts = view.getFloat64(at + ID_SIZE);
    const ok = view.getUint32(at + ID_SIZE + 8) === crc32(bytes.subarray(at, at + ID_SIZE + 8));
    if (!ok || !Number.isSafeInteger(ts) || ts < 0) {
      bad++;
      continue;
    }
    records.push({ id: bytes.slice(at, at + ID_SIZE), timestampMs: ts });
  }
  const damage = [
    bad > 0 ? `${bad} corrupt record(s)` : '',
    at < bytes.length ? `torn last record (${bytes.length - at} bytes)` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return damage ? { floorMs, records, damage } : { floorMs, records };
}

/** The append-only file handle plus compaction; one instance per stateDir. Callers serialise calls. */
export class ReplayFile {
  readonly path: string;
  #handle: FileHandle | undefined;

  private constructor(dir: string) {
    this.path = join(dir, STATE_FILE);
  }

  /**
   * Creates stateDir (0700) if needed and refuses one others could write (state-dir.ts), reads what is
   * there, and proves the directory is writable by rewriting the file (compaction) before any knock is
   * accepted.
   */
  static async open(dir: string): Promise<{ file: ReplayFile; loaded: LoadedReplayFile }> {
    const file = new ReplayFile(dir);
    await prepareStateDir(dir);
    return { file, loaded: await file.#load() };
  }

  async #load(): Promise<LoadedReplayFile> {
    const read = await readStateFile(this.path);
    if (!read) return { exists: false, floorMs: 0, records: [], damage: undefined, mtimeMs: 0 };
    return { exists: true, mtimeMs: read.mtimeMs, damage: undefined, ...decodeReplayFile(read.bytes) };
  }

  /**
   * Appends records and returns once the kernel has them, not the disk: a kill -9 keeps them, a power
   * loss may not (the next start's floor covers that; see start-floor.ts).
   */
  async append(records: Uint8Array): Promise<void> {
    const handle = this.#handle;
    if (!handle) throw new Error('replay file is not open');
    let done = 0;
    while (done < records.length) {
      const { bytesWritten } = await handle.write(records, done, records.length - done);
      done += bytesWritten;
    }
  }

  /**
   * Writes header + records to a temporary file, syncs it, renames it over the state file and syncs
   * the directory, then appends to the new file. A crash at any point leaves either the old or the
   * new file complete, never a mix.
   */
  async compact(floorMs: number, records: readonly ReplayRecord[]): Promise<void> {
    const bytes = new Uint8Array(HEADER_SIZE + records.length * RECORD_SIZE);
    bytes.set(encodeHeader(floorMs));
    for (const [i, r] of records.entries()) encodeRecord(r, bytes, HEADER_SIZE + i * RECORD_SIZE);
    try {
      // Renaming over a file that is still open is fine on POSIX: the old handle keeps the old inode,
      // so a failure anywhere here leaves appends working on one complete file or the other.
      await replaceFile(this.path, bytes);
      const previous = this.#handle;
      this.#handle = await open(this.path, APPEND_FLAGS, 0o600);
      await previous?.close();
    } catch (cause) {
      throw new ServerError(
        SERVER_ERROR_CODES.stateDirUnwritable,
        `replay state ${this.path} cannot be written: ${describeSystemError(cause)}`,
        { cause },
      );
    }
  }

  async close(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
  }
}
