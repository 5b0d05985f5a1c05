/** One key's client tags by epoch, for the two or three epochs a client table holds at a time. @module */

/**
 * A flat array `[epoch, tag, epoch, tag, …]` of exactly its length (each tag as tagText gives it),
 * replaced whole at each change (once a minute per key), rather than a Map: a Map object and its
 * hash table per key were ~1.5 MB of a 10,000-key table's heap (48 → 45 MB in a snapshot after a
 * restart), which the collector copies while a start builds the table.
 */
export class EpochTags {
  #pairs: readonly (number | string)[] = [];

  /** The tag of `epoch`, when held. */
  get(epoch: number): string | undefined {
    const pairs = this.#pairs;
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === epoch) return pairs[i + 1] as string;
    return undefined;
  }

  /**
   * Holds the tags it has for epochs lo..hi and those in `made` (`[epoch, tag, …]`: epochs it does
   * not hold, within lo..hi), and no other: one array for a key's whole advance, none when nothing
   * changes. `made` is read, not kept.
   */
  hold(lo: number, hi: number, made: readonly (number | string)[] = []): void {
    const pairs = this.#pairs;
    let count = made.length;
    for (let i = 0; i < pairs.length; i += 2) if (within(pairs[i] as number, lo, hi)) count += 2;
    if (count === pairs.length && made.length === 0) return;
    const held = new Array<number | string>(count);
    let at = 0;
    for (let i = 0; i < pairs.length; i += 2) {
      if (!within(pairs[i] as number, lo, hi)) continue;
      held[at++] = pairs[i]!;
      held[at++] = pairs[i + 1]!;
    }
    for (const value of made) held[at++] = value;
    this.#pairs = held;
  }

  /** The epochs held, in the order they were added. */
  epochs(): number[] {
    const epochs: number[] = [];
    for (let i = 0; i < this.#pairs.length; i += 2) epochs.push(this.#pairs[i] as number);
    return epochs;
  }
}

const within = (epoch: number, lo: number, hi: number): boolean => epoch >= lo && epoch <= hi;
