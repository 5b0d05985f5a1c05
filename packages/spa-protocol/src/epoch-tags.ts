/** One key's client tags by epoch, for the two or three epochs a client table holds at a time. @module */

/**
 * A flat array `[epoch, tag, epoch, tag, …]` of exactly its length, replaced whole at each change
 * (once a minute per key), rather than a Map: a Map object and its hash table per key were ~1.5 MB
 * of a 10,000-key table's heap (48 → 45 MB in a snapshot after a restart), which the collector
 * copies while a start builds the table.
 */
export class EpochTags {
  #pairs: readonly (number | Uint8Array)[] = [];

  /** The tag of `epoch`, when held. */
  get(epoch: number): Uint8Array | undefined {
    const pairs = this.#pairs;
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === epoch) return pairs[i + 1] as Uint8Array;
    return undefined;
  }

  /** Holds `tag` for `epoch`, in place of any tag it held for it. */
  set(epoch: number, tag: Uint8Array): void {
    const kept = this.get(epoch) === undefined ? this.#pairs : this.#keep((e) => e !== epoch);
    // concat allocates the result at its exact length; a push would leave room for 16.
    this.#pairs = kept.concat([epoch, tag]);
  }

  /** Drops the tags of every epoch outside lo..hi. */
  keepWithin(lo: number, hi: number): void {
    this.#pairs = this.#keep((e) => e >= lo && e <= hi);
  }

  /** The epochs held, oldest set first. */
  epochs(): number[] {
    const epochs: number[] = [];
    for (let i = 0; i < this.#pairs.length; i += 2) epochs.push(this.#pairs[i] as number);
    return epochs;
  }

  /** The pairs whose epoch `keep` accepts: the same array when it accepts them all. */
  #keep(keep: (epoch: number) => boolean): readonly (number | Uint8Array)[] {
    const pairs = this.#pairs;
    let count = 0;
    for (let i = 0; i < pairs.length; i += 2) if (keep(pairs[i] as number)) count += 2;
    if (count === pairs.length) return pairs;
    const kept = new Array<number | Uint8Array>(count);
    let at = 0;
    for (let i = 0; i < pairs.length; i += 2) {
      if (!keep(pairs[i] as number)) continue;
      kept[at++] = pairs[i]!;
      kept[at++] = pairs[i + 1]!;
    }
    return kept;
  }
}
