/** The replay store's writes to replay.bin: unsynced group appends off the knock's path, and synced compactions. @module */
import { encodeRecord, RECORD_SIZE, type ReplayFile, type ReplayRecord } from './replay-file.js';

/** What a compaction writes: the floor and every entry held in memory. */
export type ReplaySnapshot = () => { floorMs: number; records: ReplayRecord[] };

export class ReplayJournal {
  readonly #file: ReplayFile;
  readonly #snapshot: ReplaySnapshot;
  #pending: ReplayRecord[] = [];
  #recordsInFile = 0;
  #needsCompaction = false;
  #chain: Promise<void> = Promise.resolve();
  #nextFlush: Promise<undefined> | undefined;

  constructor(file: ReplayFile, snapshot: ReplaySnapshot) {
    this.#file = file;
    this.#snapshot = snapshot;
  }

  get path(): string {
    return this.#file.path;
  }

  /** Queues a record for the next append. */
  queue(record: ReplayRecord): void {
    this.#pending.push(record);
  }

  /**
   * Appends what was queued, unsynced, and resolves once the kernel has it. Records queued while a
   * write is in flight share the next one.
   */
  append(): Promise<undefined> {
    if (!this.#nextFlush) {
      const flush = this.#chain.then(async () => {
        this.#nextFlush = undefined;
        await this.#flush();
        return undefined;
      });
      this.#nextFlush = flush;
      this.#chain = flush.catch(() => {});
    }
    return this.#nextFlush;
  }

  /**
   * Appends what was queued, then rewrites the file when it holds mostly dead records (`live` are
   * held), or after a failed write. Reservations that no commit hands over (a policy refusal) would
   * otherwise wait here until the next accepted knock, without bound; so the queue holds at most what
   * one maintenance period reserves. A failed append is repaired by the compaction it then asks for.
   */
  async maintain(live: number): Promise<void> {
    if (this.#pending.length > 0) await this.append().catch(() => {});
    if (!this.#needsCompaction && this.#recordsInFile <= 2 * live + 1024) return this.#chain;
    return this.compact();
  }

  /** Rewrites the file from the snapshot, synced, after whatever write is in flight. */
  compact(): Promise<void> {
    const run = this.#chain.then(() => this.#compact());
    this.#chain = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    await this.#file.close();
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    try {
      // After a failed write the file's tail is unknown: rewrite everything from memory instead.
      if (this.#needsCompaction) return await this.#compact();
      const bytes = new Uint8Array(batch.length * RECORD_SIZE);
      for (const [i, r] of batch.entries()) encodeRecord(r, bytes, i * RECORD_SIZE);
      await this.#file.append(bytes);
      this.#recordsInFile += batch.length;
    } catch (error) {
      this.#needsCompaction = true;
      throw error;
    }
  }

  async #compact(): Promise<void> {
    const { floorMs, records } = this.#snapshot();
    // Records queued but not yet appended are in the snapshot, so this write covers them too.
    this.#pending = [];
    try {
      await this.#file.compact(floorMs, records);
      this.#recordsInFile = records.length;
      this.#needsCompaction = false;
    } catch (error) {
      this.#needsCompaction = true;
      throw error;
    }
  }
}
