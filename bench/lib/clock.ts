/** A wall-clock reading with sub-millisecond resolution that two processes on one machine can compare. @module */

/**
 * Milliseconds since the epoch, from the monotonic clock offset by the process start time.
 * The prober and flood agents run in other processes: Date.now() would be comparable but only to 1 ms,
 * performance.now() alone is precise but has a per-process origin. This is both, within ~0.1 ms.
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
