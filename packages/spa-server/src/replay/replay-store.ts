/** Accepted (keyId, nonce) pairs (docs/protocol.md §5.2): bounded in memory, on disk without a sync on the knock's path, safe across crashes, power loss and clock jumps. @module */
import { HighWaterMark, MARK_LEAD_MS } from './high-water-mark.js';
import { MarkFile } from './mark-file.js';
import { ReplayFile, type ReplayRecord } from './replay-file.js';
import type { ReplayGuard } from './replay-guard.js';
import { keyIdOf, ReplayIndex } from './replay-index.js';
import { ReplayJournal } from './replay-journal.js';
import {
  DEFAULT_REPLAY_CAPACITY,
  DEFAULT_REPLAY_PER_CLIENT,
  type ReplayLimits,
  type ReplayRecovery,
  type ReplayRefusal,
  type ReplayStoreOptions,
  type ReplayVerdict,
  TAG_EPOCH_MS,
  tagHorizon,
} from './replay-limits.js';
import { startFloor } from './start-floor.js';

export type { ReplayLimits, ReplayRecovery, ReplayRefusal, ReplayStoreOptions, ReplayVerdict };

/*
 * Invariant: a knock is refused when its (keyId, nonce) is in memory, or when its timestamp is at or
 * below `floorMs`. An entry leaves memory only once its timestamp is below `now − window` (pruned), or
 * when a damaged file could not be read; either way the floor is first raised to at least its
 * timestamp. So no accepted knock can ever be accepted again, whatever the clock does later: a clock
 * stepped back cannot revive a pruned entry, because the floor is a knock timestamp, not a clock
 * reading. The floor is never raised into the live window by load: a full store refuses the new knock
 * (`replay-full`) instead of forgetting a live entry, so one client filling the store cannot make
 * other clients' fresh knocks "stale". Without a state file (first start, or the file was removed),
 * the floor starts just below the start time: nothing dated before the start is accepted, since
 * whatever was accepted before it is unknown. Records reach the disk unsynced; what a power loss can
 * take of them is covered by the floor of the next start (start-floor.ts): a knock is accepted only
 * below the durable high-water mark (high-water-mark.ts), and only a clean stop leaves a start that
 * trusts replay.bin alone.
 */

export class ReplayStore implements ReplayGuard {
  /** One server's record: a reservation is final at once. */
  readonly shared = false;
  readonly #journal: ReplayJournal;
  readonly #mark: HighWaterMark;
  readonly #clock: () => number;
  readonly #tagEpochMs: number;
  #capacity: number;
  #perClient: number;
  #windowMs: number;
  /** hex(keyId || nonce) → knock timestamp. */
  readonly #entries = new ReplayIndex();
  #floorMs = 0;

  private constructor(file: ReplayFile, mark: HighWaterMark, options: ReplayStoreOptions) {
    this.#journal = new ReplayJournal(file, () => this.#snapshot());
    this.#mark = mark;
    this.#clock = options.clock;
    this.#tagEpochMs = options.tagEpochMs ?? TAG_EPOCH_MS;
    this.#windowMs = options.windowMs;
    this.#capacity = options.capacity ?? DEFAULT_REPLAY_CAPACITY;
    this.#perClient = options.perClient ?? DEFAULT_REPLAY_PER_CLIENT;
  }

  /**
   * Loads stateDir's files and rewrites replay.bin before returning, which both repairs damage and
   * proves the directory is writable (STATE_DIR_UNWRITABLE otherwise); then clears the clean-stop
   * flag, synced, so that the next start knows this run may have accepted knocks. The floor is what
   * startFloor() makes of the files: after damage or an unclean stop, it covers every knock the
   * previous run could have accepted. Records it left are still loaded, so a copy of one is named a
   * replay rather than stale.
   */
  static async open(options: ReplayStoreOptions): Promise<{ store: ReplayStore; recovery: ReplayRecovery }> {
    const { file, loaded } = await ReplayFile.open(options.dir);
    const markFile = new MarkFile(options.dir);
    const markLeadMs = options.markLeadMs ?? MARK_LEAD_MS;
    const start = startFloor({
      nowMs: options.clock(),
      windowMs: options.windowMs,
      futureWindowMs: options.futureWindowMs,
      markLeadMs,
      file: loaded,
      mark: await markFile.load(),
    });
    const mark = new HighWaterMark(markFile, { ...options, leadMs: markLeadMs });
    const store = new ReplayStore(file, mark, options);
    store.#floorMs = start.floorMs;
    const keepAbove = loaded.exists && !loaded.damage ? loaded.floorMs : start.floorMs;
    for (const r of loaded.records) {
      const key = hex(r.id);
      // A file can repeat a record (written twice around a failed append); one entry each.
      if (r.timestampMs > keepAbove && !store.#entries.has(key)) store.#entries.add(key, r.timestampMs);
    }
    store.prune();
    await store.#journal.compact();
    await mark.begin();
    if (options.markEveryMs) mark.every(options.markEveryMs, options.onMarkError ?? (() => {}));
    return {
      store,
      recovery: {
        path: file.path,
        loaded: store.size,
        damage: start.damage,
        unclean: start.unclean,
        floorMs: store.#floorMs,
        fresh: !loaded.exists,
      },
    };
  }

  /**
   * §7 7, before any public-key work: true when the client (hex key id) already used this nonce. The
   * timestamp is still sealed at that point; check() asks again with it, floor included.
   */
  seen(keyIdHex: string, nonceHex: string): boolean {
    return this.#entries.has(keyIdHex + nonceHex);
  }

  /** §7 15 (plus the floor): 'replay' when already accepted, 'stale' when at or below the floor. */
  check(keyId: Uint8Array, nonce: Uint8Array, timestampMs: number): ReplayVerdict {
    if (timestampMs <= this.#floorMs) return 'stale';
    return this.#entries.has(hex(keyId) + hex(nonce)) ? 'replay' : undefined;
  }

  /**
   * Records an authenticated knock in memory at once (so a duplicate in the same batch is a replay) and
   * queues it for the disk; commit() hands it over, or else the next maintain(). Writes nothing and
   * says why when the key id already holds `perClient` live entries or the store `capacity` (after
   * dropping what fell out of the window): the new knock is refused, no live entry is forgotten.
   */
  reserve(keyId: Uint8Array, nonce: Uint8Array, timestampMs: number): ReplayRefusal | undefined {
    const id = new Uint8Array(keyId.length + nonce.length);
    id.set(keyId);
    id.set(nonce, keyId.length);
    const key = hex(id);
    if (this.#entries.has(key)) return 'replay';
    const client = keyIdOf(key);
    if (this.#entries.clientEntries(client) >= this.#perClient || this.size >= this.#capacity) {
      this.prune();
      if (this.#entries.clientEntries(client) >= this.#perClient) return 'client-replay-full';
      if (this.size >= this.#capacity) return 'replay-full';
    }
    this.#entries.add(key, timestampMs);
    this.#journal.queue({ id, timestampMs });
    return undefined;
  }

  /**
   * Resolves at once when the timestamp is below the durable high-water mark: the reservation is
   * final, and what a power loss may take of it the next start's floor covers. What was reserved so
   * far is appended to replay.bin in the background, unsynced (knocks reserved while a write is in
   * flight share the next one; a failed write is repaired by the next compaction); written()
   * resolves once the kernel has it. A timestamp at or above the mark (the clock stepped forward,
   * the disk stalled, the store is closing) waits for the mark to move: `stale` if it did not move far
   * enough (closing, the clock beyond it), a rejection if it could not be written.
   */
  commit(_keyId: Uint8Array, _nonce: Uint8Array, timestampMs: number): Promise<'stale' | undefined> {
    void this.#journal.append().catch(() => {});
    if (timestampMs < this.#mark.durableMs) return RESOLVED;
    // A mark that cannot be written rejects: the knock is refused `replay-store-failed`, with the
    // cause logged, not passed off as a clock problem.
    return this.#mark.advance().then(() => (timestampMs < this.#mark.durableMs ? undefined : 'stale'));
  }

  /** Resolves once everything reserved so far was handed to the kernel (rejects if that failed). */
  written(): Promise<undefined> {
    return this.#journal.append();
  }

  /** Moves the durable high-water mark ahead of the clock (synced); the timer of `markEveryMs` calls it. */
  advanceMark(): Promise<void> {
    return this.#mark.advance();
  }

  /**
   * Forgets entries whose client tag the server no longer holds: their epoch ended before `now −
   * window` (docs/protocol.md §6.2), raising the floor over them. Dropping an entry as soon as its
   * timestamp left the window would let a copy of its datagram pass the pre-check (§7 7) while its tag
   * is still held, up to a minute longer, and spend its client's budget and a key exchange each time
   * before the window refuses it. The floor is never raised above `now − window` here. Costs what it
   * removes.
   */
  prune(): void {
    const newest = this.#entries.dropBefore(tagHorizon(this.#clock(), this.#windowMs, this.#tagEpochMs));
    if (newest !== undefined && newest > this.#floorMs) this.#floorMs = newest;
  }

  /** Prunes, appends reservations never committed (policy refusals), rewrites a mostly dead file. */
  maintain(): Promise<void> {
    this.prune();
    return this.#journal.maintain(this.size);
  }

  /**
   * New limits apply at once: the window to pruning (the floor keeps already-pruned entries refused),
   * the capacities to the next reserve(). Lowered below what is held, nothing is dropped: new knocks are
   * refused until entries age out.
   */
  setLimits(limits: ReplayLimits): void {
    this.#windowMs = limits.windowMs;
    this.#capacity = limits.capacity ?? DEFAULT_REPLAY_CAPACITY;
    this.#perClient = limits.perClient ?? DEFAULT_REPLAY_PER_CLIENT;
    if (limits.futureWindowMs !== undefined) this.#mark.futureWindowMs = limits.futureWindowMs;
  }

  get size(): number {
    return this.#entries.size;
  }
  get floorMs(): number {
    return this.#floorMs;
  }
  /** Live entries held for one key id (hex). */
  clientEntries(keyIdHex: string): number {
    return this.#entries.clientEntries(keyIdHex);
  }
  get path(): string {
    return this.#journal.path;
  }

  /**
   * Refuses every later knock, writes a final compact file (synced), and only then the clean-stop
   * flag: a next start that finds it trusts replay.bin alone, with no floor raised.
   */
  async close(): Promise<void> {
    let clean = false;
    try {
      await this.#mark.stop();
      this.prune();
      await this.#journal.compact();
      clean = true;
    } finally {
      await this.#journal.close();
      await this.#mark.close(clean);
    }
  }

  #snapshot(): { floorMs: number; records: ReplayRecord[] } {
    const records: ReplayRecord[] = [];
    for (const [key, ts] of this.#entries.entries()) records.push({ id: unhex(key), timestampMs: ts });
    return { floorMs: this.#floorMs, records };
  }
}

const RESOLVED: Promise<'stale' | undefined> = Promise.resolve(undefined);

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function unhex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}
