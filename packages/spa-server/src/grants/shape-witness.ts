/** What the daemon can vouch for about its table's shape between two reads: the last check found it whole, and the kernel has reported no change to it since. @module */

/**
 * A verification is vouched for this long at most. The periodic check renews it every few seconds
 * (5 s with kernel events), so an older one means checks are failing or stuck: status then reads
 * the kernel itself.
 */
export const SHAPE_VOUCH_MS = 15_000;
/**
 * A check that began this soon after the event stream started vouches for nothing: the stream's
 * process has started, but its subscription to the kernel's events may not be in place yet.
 */
export const STREAM_SETTLE_MS = 500;

/** Where a check stood when it began reading. */
export interface CheckToken {
  readonly generation: number;
  readonly atMs: number;
}

/**
 * Listing a table's rules makes nft 1.0.6 fetch every element of its sets (seconds at 100,000
 * grants), so `status` asks the daemon instead, which checks the shape anyway. The daemon vouches
 * only while its kernel event stream runs: any event that concerns the table (a rule, chain, set or
 * the table added or deleted, a protected port added or removed) withdraws the verification until a
 * check that began after the event finds the table whole again.
 */
export class ShapeWitness {
  readonly #clock: () => number;
  #generation = 0;
  #verifiedAt: number | undefined;
  #watchingSince: number | undefined;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** The kernel reported a change that concerns the table. */
  changed(): void {
    this.#generation++;
    this.#verifiedAt = undefined;
  }

  /** The event stream started or ended: changes before a start were not seen, so nothing is vouched. */
  watching(on: boolean): void {
    this.#watchingSince = on ? this.#clock() : undefined;
    this.changed();
  }

  /** Call as a check starts reading; pass the token to `checked`. */
  begin(): CheckToken {
    return { generation: this.#generation, atMs: this.#clock() };
  }

  /** A check's outcome: vouched (as of when it began) only when no change was reported while it read. */
  checked(token: CheckToken, intact: boolean | undefined): void {
    if (intact !== true) {
      this.#verifiedAt = undefined;
      return;
    }
    const since = this.#watchingSince;
    const settled = since !== undefined && token.atMs >= since + STREAM_SETTLE_MS;
    if (settled && token.generation === this.#generation) this.#verifiedAt = token.atMs;
  }

  /** Milliseconds since the table was last found whole, when the daemon can vouch for it now. */
  vouchedAgoMs(): number | undefined {
    if (this.#watchingSince === undefined || this.#verifiedAt === undefined) return undefined;
    const ago = this.#clock() - this.#verifiedAt;
    return ago >= 0 && ago <= SHAPE_VOUCH_MS ? ago : undefined;
  }
}
