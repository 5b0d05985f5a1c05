/** Accepted (keyId, nonce) pairs (docs/protocol.md §5.2): bounded in memory, durable on disk before any grant, safe across crashes and clock jumps. @module */
import { encodeRecord, RECORD_SIZE, ReplayFile, type ReplayRecord } from './replay-file.js';

/*
 * Invariant: a knock is refused when its (keyId, nonce) is in memory, or when its timestamp is at or
 * below `floorMs`. Every entry that leaves memory — pruned because it fell out of the window, evicted
 * because the table is full, or unreadable after a crash — first raises the floor to at least its
 * timestamp. So no accepted knock can ever be accepted again, whatever the clock does later: a clock
 * stepped back cannot revive a pruned entry, because the floor is a knock timestamp, not a clock
 * reading. In normal operation the floor refuses nothing the time window would not refuse anyway
 * (an entry is pruned only once `now − window` has passed it).
 */

export const DEFAULT_REPLAY_CAPACITY = 65_536;

export interface ReplayStoreOptions {
  readonly dir: string;
  /** The timestamp window (§7 12), in ms. */
  readonly windowMs: number;
  /** Entries held in memory at most; the oldest is evicted (raising the floor) beyond it. */
  readonly capacity?: number;
  readonly clock: () => number;
}

/** What opening found, for one log line. */
export interface ReplayRecovery {
  readonly path: string;
  readonly loaded: number;
  /** Set when the file could not be fully trusted; knocks with timestamps ≤ floorMs are refused. */
  readonly damage: string | undefined;
  readonly floorMs: number;
}

export type ReplayVerdict = 'stale' | 'replay' | undefined;

export class ReplayStore {
  readonly #file: ReplayFile;
  readonly #clock: () => number;
  readonly #capacity: number;
  #windowMs: number;
  /** hex(keyId || nonce) → knock timestamp. Insertion order ≈ age, used for eviction. */
  readonly #entries = new Map<string, number>();
  #floorMs = 0;
  #pending: ReplayRecord[] = [];
  #recordsInFile = 0;
  #needsCompaction = false;
  #chain: Promise<void> = Promise.resolve();
  #nextFlush: Promise<void> | undefined;
  #evictions = 0;

  private constructor(file: ReplayFile, options: ReplayStoreOptions) {
    this.#file = file;
    this.#clock = options.clock;
    this.#capacity = options.capacity ?? DEFAULT_REPLAY_CAPACITY;
    this.#windowMs = options.windowMs;
  }

  /**
   * Loads stateDir's file and rewrites it before returning, which both repairs damage and proves the
   * directory is writable (STATE_DIR_UNWRITABLE otherwise). A damaged file never lets a replay through:
   * what it held cannot be known, but every knock it could have held was accepted at or before its
   * last write (mtime), so its timestamp is ≤ mtime + window. The floor is raised to that, i.e. the
   * server waits out one window after its last write before accepting knocks again.
   */
  static async open(options: ReplayStoreOptions): Promise<{ store: ReplayStore; recovery: ReplayRecovery }> {
    const { file, loaded } = await ReplayFile.open(options.dir);
    const store = new ReplayStore(file, options);
    let floor = loaded.floorMs;
    if (loaded.damage) {
      const newest = loaded.records.reduce((m, r) => Math.max(m, r.timestampMs), 0);
      floor = Math.max(floor, Math.ceil(loaded.mtimeMs) + options.windowMs, newest);
    }
    store.#floorMs = floor;
    for (const r of loaded.records) if (r.timestampMs > floor) store.#insert(hex(r.id), r.timestampMs);
    store.prune();
    await store.#compact();
    return {
      store,
      recovery: { path: file.path, loaded: store.size, damage: loaded.damage, floorMs: store.#floorMs },
    };
  }

  /** §7 13 (plus the floor): 'replay' when already accepted, 'stale' when at or below the floor. */
  check(keyId: Uint8Array, nonce: Uint8Array, timestampMs: number): ReplayVerdict {
    if (timestampMs <= this.#floorMs) return 'stale';
    return this.#entries.has(hex(keyId) + hex(nonce)) ? 'replay' : undefined;
  }

  /**
   * Records an authenticated knock in memory at once (so a duplicate in the same batch is a replay) and
   * queues it for the disk. Call commit() and wait for it before granting anything.
   */
  reserve(keyId: Uint8Array, nonce: Uint8Array, timestampMs: number): void {
    const id = new Uint8Array(keyId.length + nonce.length);
    id.set(keyId);
    id.set(nonce, keyId.length);
    this.#insert(hex(id), timestampMs);
    this.#pending.push({ id, timestampMs });
  }

  /**
   * Resolves once everything reserved so far is on stable storage. Knocks reserved while a write is
   * in flight share the next write: one fdatasync per group, not per knock.
   */
  commit(): Promise<void> {
    if (!this.#nextFlush) {
      const flush = this.#chain.then(() => {
        this.#nextFlush = undefined;
        return this.#flush();
      });
      this.#nextFlush = flush;
      this.#chain = flush.catch(() => {});
    }
    return this.#nextFlush;
  }

  /** Forgets entries that fell out of the window, raising the floor over them. Cheap enough to run every few seconds. */
  prune(): void {
    const horizon = this.#clock() - this.#windowMs;
    for (const [key, ts] of this.#entries) {
      if (ts < horizon) {
        this.#entries.delete(key);
        if (ts > this.#floorMs) this.#floorMs = ts;
      }
    }
  }

  /** Prunes, and rewrites the file when it holds mostly dead records (or after a failed write). */
  maintain(): Promise<void> {
    this.prune();
    if (!this.#needsCompaction && this.#recordsInFile <= 2 * this.size + 1024) return this.#chain;
    const run = this.#chain.then(() => this.#compact());
    this.#chain = run.catch(() => {});
    return run;
  }

  /** A changed window applies to pruning at once; the floor keeps already-pruned entries refused. */
  setWindow(windowMs: number): void {
    this.#windowMs = windowMs;
  }

  get size(): number {
    return this.#entries.size;
  }
  get floorMs(): number {
    return this.#floorMs;
  }
  get evictions(): number {
    return this.#evictions;
  }
  get path(): string {
    return this.#file.path;
  }

  /** Writes a final compact file and closes it. */
  async close(): Promise<void> {
    await this.#chain;
    this.prune();
    try {
      await this.#compact();
    } finally {
      await this.#file.close();
    }
  }

  #insert(key: string, timestampMs: number): void {
    this.#entries.set(key, timestampMs);
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.entries().next().value;
      if (!oldest) break;
      this.#entries.delete(oldest[0]);
      if (oldest[1] > this.#floorMs) this.#floorMs = oldest[1];
      this.#evictions++;
    }
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
    const records: ReplayRecord[] = [];
    for (const [key, ts] of this.#entries) records.push({ id: unhex(key), timestampMs: ts });
    // Records reserved but not yet flushed are in #entries, so this write covers them too.
    this.#pending = [];
    try {
      await this.#file.compact(this.#floorMs, records);
      this.#recordsInFile = records.length;
      this.#needsCompaction = false;
    } catch (error) {
      this.#needsCompaction = true;
      throw error;
    }
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function unhex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}
