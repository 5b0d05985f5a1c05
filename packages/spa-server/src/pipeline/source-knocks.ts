/** The race guard of source mode: which address each source-mode knock opened, for the replay window. Bounded. @module */
import type { IpAddress } from 'spa-protocol';
import type { PortSpec } from '../firewall/driver.js';
import type { GrantOwner } from '../grants/grant-ledger.js';

/** What one granted source-mode knock opened. */
export interface SourceKnock {
  readonly owner: GrantOwner;
  /** The datagram's source: the address that was opened. */
  readonly source: IpAddress;
  readonly ports: readonly PortSpec[];
  /**
   * Settles once the knock's own commit (durable record, then the grant) is done: a revoke queued
   * before the grant would find nothing and the grant would follow it, so the revoke waits for this.
   */
  readonly committed: Promise<void>;
  readonly seenAtMs: number;
}

export interface SourceKnocksOptions {
  /** The timestamp window: entries older than twice this are forgotten (a later copy is stale anyway). */
  readonly windowMs: number;
  /** The oldest entry goes first when full (a copy of it then only costs its sender the replay refusal). */
  readonly capacity: number;
  readonly clock: () => number;
}

export const DEFAULT_SOURCE_KNOCKS_CAPACITY = 65_536;

/**
 * A source-mode knock grants the datagram's unsigned source, so a copy sent from another address
 * races the real one. Both copies carry the same (key, nonce); the second is refused as a replay.
 * When that second copy comes from a different address, the daemon looks the pair up here and takes
 * back what the first opened (docs: "Source mode"). Keyed by key id + nonce hex; insertion order is
 * arrival order, so the oldest entry is the first one in the map.
 */
export class SourceKnocks {
  readonly #entries = new Map<string, SourceKnock>();
  #windowMs: number;
  readonly #capacity: number;
  readonly #clock: () => number;

  constructor(options: SourceKnocksOptions) {
    this.#windowMs = options.windowMs;
    this.#capacity = options.capacity;
    this.#clock = options.clock;
  }

  /** Remembers a source-mode knock just granted. */
  remember(keyIdHex: string, nonceHex: string, knock: Omit<SourceKnock, 'seenAtMs'>): void {
    const now = this.#clock();
    this.#expire(now);
    const key = `${keyIdHex}:${nonceHex}`;
    this.#entries.delete(key);
    while (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { ...knock, seenAtMs: now });
  }

  /** The knock granted for (key, nonce), when a copy arrives from an address other than the one opened. */
  duplicateFrom(keyIdHex: string, nonceHex: string, source: IpAddress): SourceKnock | undefined {
    const entry = this.#entries.get(`${keyIdHex}:${nonceHex}`);
    if (!entry || this.#clock() - entry.seenAtMs > 2 * this.#windowMs) return undefined;
    return entry.source.text === source.text ? undefined : entry;
  }

  /** Forgets (key, nonce): once revoked, further copies cost nothing more than a replay refusal. */
  forget(keyIdHex: string, nonceHex: string): void {
    this.#entries.delete(`${keyIdHex}:${nonceHex}`);
  }

  setWindow(windowMs: number): void {
    this.#windowMs = windowMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  #expire(now: number): void {
    for (const [key, entry] of this.#entries) {
      // A copy may arrive up to a window after the knock's timestamp, which is up to a window before now.
      if (now - entry.seenAtMs <= 2 * this.#windowMs) break;
      this.#entries.delete(key);
    }
  }
}
