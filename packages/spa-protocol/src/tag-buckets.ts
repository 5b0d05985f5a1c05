/** A client table's tags by their first four bytes, found from a datagram without allocating (docs/protocol.md §7 3). @module */
import { CLIENT_TAG_OFFSET } from './constants.js';
import { bucketOf, bucketOfText, sameTagText } from './tag-match.js';

/** What a bucket holds: a tag (as tagText gives it) and the epoch it was made for. */
export interface TagEntry {
  readonly tag: string;
  readonly epoch: number;
}

/** A bucket is almost always one entry: an array only for tags whose first four bytes collide. */
export class TagBuckets<E extends TagEntry> {
  readonly #buckets = new Map<number, E | E[]>();

  get size(): number {
    return this.#buckets.size;
  }

  add(entry: E): void {
    const key = bucketOfText(entry.tag);
    const held = this.#buckets.get(key);
    if (held === undefined) this.#buckets.set(key, entry);
    else if (Array.isArray(held)) held.push(entry);
    else this.#buckets.set(key, [held, entry]);
  }

  /** The entry whose tag the datagram carries at offset 4, compared in full; undefined for an unknown tag. */
  find(datagram: Uint8Array): E | undefined {
    const found = this.#buckets.get(bucketOf(datagram, CLIENT_TAG_OFFSET));
    if (!Array.isArray(found)) return found && sameTagText(found.tag, datagram) ? found : undefined;
    let match: E | undefined;
    for (const entry of found) if (sameTagText(entry.tag, datagram)) match = entry;
    return match;
  }

  /** Every entry held. */
  *entries(): IterableIterator<E> {
    for (const held of this.#buckets.values()) {
      if (Array.isArray(held)) yield* held;
      else yield held;
    }
  }

  /** Forgets the entries of epochs outside [lo, hi]. */
  dropOutside(lo: number, hi: number): void {
    for (const [key, held] of this.#buckets) {
      if (!Array.isArray(held)) {
        if (held.epoch < lo || held.epoch > hi) this.#buckets.delete(key);
        continue;
      }
      const kept = held.filter((e) => e.epoch >= lo && e.epoch <= hi);
      if (kept.length === 0) this.#buckets.delete(key);
      else this.#buckets.set(key, kept.length === 1 ? kept[0]! : kept);
    }
  }
}
