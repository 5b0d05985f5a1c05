/** The replay store's memory: (keyId, nonce) → knock timestamp, ordered by timestamp and counted per key id. No I/O. @module */
import { MinHeap } from './min-heap.js';

/** Keys are hex(keyId || nonce); the key id is their first 32 hex digits (§5.2). */
const KEY_ID_HEX = 32;

/**
 * Keys come and go as hex; inside, each is held once, packed one char per byte (a 32-char string,
 * 48 B, instead of 80 B of hex), in a Set, with its timestamp only in the heap (unboxed in a double
 * array, where a Map's value would be a 16 B heap number): about 90 B an entry instead of 150, which
 * at the store's largest capacity (1,048,576) is 60 MiB less.
 */
export class ReplayIndex {
  readonly #entries = new Set<string>();
  /** The same keys by timestamp, so dropping old entries costs what it removes, not a scan. */
  readonly #byTime = new MinHeap<string>();
  /** hex(keyId) → its entries. */
  readonly #clientCounts = new Map<string, number>();

  get size(): number {
    return this.#entries.size;
  }

  has(key: string): boolean {
    return this.#entries.has(_pack(key));
  }

  /** Live entries held for one key id (hex). */
  clientEntries(keyIdHex: string): number {
    return this.#clientCounts.get(keyIdHex) ?? 0;
  }

  /** Adds a key not yet held (callers check has() first). */
  add(key: string, timestampMs: number): void {
    const packed = _pack(key);
    this.#entries.add(packed);
    this.#byTime.push(timestampMs, packed);
    const client = key.slice(0, KEY_ID_HEX);
    this.#clientCounts.set(client, this.clientEntries(client) + 1);
  }

  /** Removes every entry timestamped before `horizonMs`, oldest first; returns the newest removed timestamp. */
  dropBefore(horizonMs: number): number | undefined {
    let newest: number | undefined;
    for (let ts = this.#byTime.peekKey(); ts !== undefined && ts < horizonMs; ts = this.#byTime.peekKey()) {
      const packed = this.#byTime.pop() as string;
      this.#entries.delete(packed);
      const client = _unpack(packed.slice(0, KEY_ID_HEX / 2));
      const left = this.clientEntries(client) - 1;
      if (left > 0) this.#clientCounts.set(client, left);
      else this.#clientCounts.delete(client);
      newest = ts;
    }
    return newest;
  }

  /** Every entry as (hex key, timestamp), in no particular order. */
  *entries(): IterableIterator<[string, number]> {
    for (const [ts, packed] of this.#byTime.entries()) yield [_unpack(packed), ts];
  }
}

/** The key id part of an index key. */
export function keyIdOf(key: string): string {
  return key.slice(0, KEY_ID_HEX);
}

function _pack(hex: string): string {
  return Buffer.from(hex, 'hex').toString('latin1');
}

function _unpack(packed: string): string {
  return Buffer.from(packed, 'latin1').toString('hex');
}
