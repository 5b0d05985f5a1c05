/** The file store of one server, plus the record a fleet shares through Redis: a knock is granted once in all. @module */
import { EPOCH_MS } from 'spa-protocol';
import type { RedisRecord } from './redis-record.js';
import type { CommitVerdict, ReplayGuard } from './replay-guard.js';
import type { ReplayLimits, ReplayRefusal, ReplayVerdict } from './replay-limits.js';
import type { ReplayStore } from './replay-store.js';

export interface SharedReplayOptions {
  readonly local: ReplayStore;
  readonly record: RedisRecord;
  readonly windowMs: number;
  readonly clock: () => number;
  /** `local`: while Redis cannot be asked, this server's own record decides (see docs/fleet.md). */
  readonly whenUnreachable: 'refuse' | 'local';
  /** Length of a client-tag epoch; EPOCH_MS unless set (tests). */
  readonly tagEpochMs?: number;
}

/*
 * Every check the file store makes still runs on this server first (its memory, floor, bounds and
 * high-water mark), so a server never accepts its own knock twice, whatever Redis forgets. Redis adds what
 * one server cannot know: that another server sharing its identity already accepted the knock. Its key
 * is held as long as the file store holds the entry (until the knock's tag epoch has left the window),
 * plus one window more for the servers' clocks to disagree by.
 */
export class SharedReplayStore implements ReplayGuard {
  readonly shared = true;
  readonly #local: ReplayStore;
  readonly #record: RedisRecord;
  readonly #clock: () => number;
  readonly #whenUnreachable: 'refuse' | 'local';
  readonly #epochMs: number;
  #windowMs: number;

  constructor(options: SharedReplayOptions) {
    this.#local = options.local;
    this.#record = options.record;
    this.#clock = options.clock;
    this.#windowMs = options.windowMs;
    this.#whenUnreachable = options.whenUnreachable;
    this.#epochMs = options.tagEpochMs ?? EPOCH_MS;
  }

  seen(keyIdHex: string, nonceHex: string): boolean {
    return this.#local.seen(keyIdHex, nonceHex);
  }

  check(keyId: Uint8Array, nonce: Uint8Array, timestampMs: number): ReplayVerdict {
    return this.#local.check(keyId, nonce, timestampMs);
  }

  reserve(keyId: Uint8Array, nonce: Uint8Array, timestampMs: number): ReplayRefusal | undefined {
    return this.#local.reserve(keyId, nonce, timestampMs);
  }

  /** Both records at once: the local one is final at once (or after a mark sync); Redis costs a round trip. */
  async commit(keyId: Uint8Array, nonce: Uint8Array, timestampMs: number): Promise<CommitVerdict> {
    const [local, shared] = await Promise.all([
      this.#local.commit(keyId, nonce, timestampMs),
      this.#record.reserve(hex(keyId), hex(nonce), timestampMs, this.holdMs(timestampMs)),
    ]);
    if (local) return local;
    if (shared === 'ok') return undefined;
    if (shared === 'unreachable')
      return this.#whenUnreachable === 'local' ? undefined : 'replay-store-unreachable';
    return shared;
  }

  /** How long Redis keeps a knock's key from now: its tag epoch's end plus the window, plus a window of clock skew. */
  holdMs(timestampMs: number): number {
    const epochEnd = (Math.floor(timestampMs / this.#epochMs) + 1) * this.#epochMs;
    return epochEnd + 2 * this.#windowMs - this.#clock();
  }

  maintain(): Promise<void> {
    return this.#local.maintain();
  }

  setLimits(limits: ReplayLimits): void {
    this.#windowMs = limits.windowMs;
    this.#local.setLimits(limits);
  }

  get size(): number {
    return this.#local.size;
  }

  get floorMs(): number {
    return this.#local.floorMs;
  }

  /** Whether Redis is connected now. */
  get connected(): boolean {
    return this.#record.ready;
  }

  async close(): Promise<void> {
    try {
      await this.#local.close();
    } finally {
      await this.#record.close();
    }
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
