/** Accepted (keyId, nonce) pairs (docs/protocol.md §5.2): bounded in memory, durable on disk before any grant, safe across crashes and clock jumps. @module */
import { encodeRecord, RECORD_SIZE, ReplayFile, type ReplayRecord } from './replay-file.js';
import type { ReplayGuard } from './replay-guard.js';
import { keyIdOf, ReplayIndex } from './replay-index.js';
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
 * whatever was accepted before it is unknown.
 */

export class ReplayStore implements ReplayGuard {
  /** One server's record: a reservation is final once it is on disk. */
  readonly shared = false;
  readonly #file: ReplayFile;
  readonly #clock: () => number;
  readonly #tagEpochMs: number;
  #capacity: number;
  #perClient: number;
  #windowMs: number;
  /** hex(keyId || nonce) → knock timestamp. */
  readonly #entries = new ReplayIndex();
  #floorMs = 0;
  #pending: ReplayRecord[] = [];
  #recordsInFile = 0;
  #needsCompaction = false;
  #chain: Promise<void> = Promise.resolve();
  #nextFlush: Promise<undefined> | undefined;

  private constructor(file: ReplayFile, options: ReplayStoreOptions) {
    this.#file = file;
    this.#clock = options.clock;
    this.#tagEpochMs = options.tagEpochMs ?? TAG_EPOCH_MS;
    this.#windowMs = options.windowMs;
    this.#capacity = options.capacity ?? DEFAULT_REPLAY_CAPACITY;
    this.#perClient = options.perClient ?? DEFAULT_REPLAY_PER_CLIENT;
  }

  /**
   * Loads stateDir's file and rewrites it before returning, which both repairs damage and proves the
   * directory is writable (STATE_DIR_UNWRITABLE otherwise). A damaged file never lets a replay through:
   * what it held cannot be known, but every knock it could have held was accepted at or before its
   * last write (mtime), so its timestamp is ≤ mtime + window (the future side is at most the window:
   * conservative, since the window may have been different then). The floor is raised to that, i.e. the
   * server waits out one window after its last write before accepting knocks again.
   */
  static async open(options: ReplayStoreOptions): Promise<{ store: ReplayStore; recovery: ReplayRecovery }> {
    const { file, loaded } = await ReplayFile.open(options.dir);
    const store = new ReplayStore(file, options);
    // Just below the start: a knock stamped at the very start millisecond is still accepted.
    let floor = loaded.exists ? loaded.floorMs : options.clock() - 1;
    if (loaded.damage) {
      const newest = loaded.records.reduce((m, r) => Math.max(m, r.timestampMs), 0);
      floor = Math.max(floor, Math.ceil(loaded.mtimeMs) + options.windowMs, newest);
    }
    store.#floorMs = floor;
    for (const r of loaded.records) {
      const key = hex(r.id);
      // A file can repeat a record (written twice around a failed append); one entry each.
      if (r.timestampMs > floor && !store.#entries.has(key)) store.#entries.add(key, r.timestampMs);
    }
    store.prune();
    await store.#compact();
    return {
      store,
      recovery: {
        path: file.path,
        loaded: store.size,
        damage: loaded.damage,
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
   * queues it for the disk; call commit() and wait for it before granting anything. Writes nothing and
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
    this.#pending.push({ id, timestampMs });
    return undefined;
  }

  /**
   * Resolves once everything reserved so far is on stable storage. Knocks reserved while a write is
   * in flight share the next write: one fdatasync per group, not per knock.
   */
  commit(): Promise<undefined> {
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

  /** Prunes, and rewrites the file when it holds mostly dead records (or after a failed write). */
  maintain(): Promise<void> {
    this.prune();
    if (!this.#needsCompaction && this.#recordsInFile <= 2 * this.size + 1024) return this.#chain;
    const run = this.#chain.then(() => this.#compact());
    this.#chain = run.catch(() => {});
    return run;
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
    for (const [key, ts] of this.#entries.entries()) records.push({ id: unhex(key), timestampMs: ts });
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
