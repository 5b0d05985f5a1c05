/** A value read in the background and paced by what the read costs: callers get the last value at once and never wait on a read. @module */

export interface PacedReadOptions {
  /** Shortest time from the start of one read to the start of the next. Default 1000 ms. */
  readonly minIntervalMs?: number;
  /**
   * The next read starts no sooner than this many times the last read's duration after it ended, so
   * reads take at most 1 / (1 + costFactor) of the time however often the value is asked for.
   * Default 10.
   */
  readonly costFactor?: number;
  readonly clock?: () => number;
}

export interface PacedRead<T> {
  /**
   * The value of the last read that ended, undefined before the first and after a failed one; starts
   * a read when one is due and none is running.
   */
  current(): T | undefined;
  /**
   * Like current(), but waits up to `waitMs` for a running read (one just started included) to end:
   * a cheap read answers fresh, a slow one costs the caller `waitMs` at most and answers the last value.
   */
  within(waitMs: number): Promise<T | undefined>;
}

export function pacedRead<T>(read: () => Promise<T>, options: PacedReadOptions = {}): PacedRead<T> {
  // A monotonic clock by default: a wall clock stepped back would hold the next read off for as long.
  const { minIntervalMs = 1000, costFactor = 10, clock = () => performance.now() } = options;
  let value: T | undefined;
  let dueAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;
  const start = (): void => {
    const startedAt = clock();
    reading = Promise.resolve()
      .then(read)
      .then(
        (v) => {
          value = v;
        },
        // A failed read answers nothing rather than an old value that may belong to a table since gone.
        () => {
          value = undefined;
        },
      )
      .finally(() => {
        const endedAt = clock();
        dueAt = Math.max(startedAt + minIntervalMs, endedAt + costFactor * (endedAt - startedAt));
        reading = undefined;
      });
  };
  const current = (): T | undefined => {
    if (reading === undefined && clock() >= dueAt) start();
    return value;
  };
  return {
    current,
    async within(waitMs) {
      current();
      if (reading !== undefined) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, waitMs);
        });
        await Promise.race([reading, late]);
        clearTimeout(timer);
      }
      return value;
    },
  };
}
