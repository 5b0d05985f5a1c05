/** The replay store's memory: (keyId, nonce) → knock timestamp, ordered by timestamp and counted per key id. No I/O. @module */
import { MinHeap } from './min-heap.js';

/** Keys are hex(keyId || nonce); the key id is their first 32 hex digits (§5.2). */
const KEY_ID_HEX = 32;

export class ReplayIndex {
  readonly #entries = new Map<string, number>();
  /** The same keys by timestamp, so dropping old entries costs what it removes, not a scan. */
  readonly #byTime = new MinHeap<string>();
  /** hex(keyId) → its entries. */
  readonly #clientCounts = new Map<string, number>();

  get size(): number {
    return this.#entries.size;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** Live entries held for one key id (hex). */
  clientEntries(keyIdHex: string): number {
    return this.#clientCounts.get(keyIdHex) ?? 0;
  }

  /** Adds a key not yet held (callers check has() first). */
  add(key: string, timestampMs: number): void {
    this.#entries.set(key, timestampMs);
    this.#byTime.push(timestampMs, key);
    const client = key.slice(0, KEY_ID_HEX);
    this.#clientCounts.set(client, this.clientEntries(client) + 1);
  }

  /** Removes every entry timestamped before `horizonMs`, oldest first; returns the newest removed timestamp. */
  dropBefore(horizonMs: number): number | undefined {
    let newest: number | undefined;
    for (let ts = this.#byTime.peekKey(); ts !== undefined && ts < horizonMs; ts = this.#byTime.peekKey()) {
      const key = this.#byTime.pop() as string;
      this.#entries.delete(key);
      const client = key.slice(0, KEY_ID_HEX);
      const left = this.clientEntries(client) - 1;
      if (left > 0) this.#clientCounts.set(client, left);
      else this.#clientCounts.delete(client);
      newest = ts;
    }
    return newest;
  }

  entries(): IterableIterator<[string, number]> {
    return this.#entries.entries();
  }
}

/** The key id part of an index key. */
export function keyIdOf(key: string): string {
  return key.slice(0, KEY_ID_HEX);
}
