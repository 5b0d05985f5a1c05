/** Token bucket: a sustained rate with a burst allowance, on an injected millisecond clock. @module */

export interface TokenBucketState {
  tokens: number;
  lastMs: number;
}

/** A full bucket as of `nowMs`. */
export function createBucket(burst: number, nowMs: number): TokenBucketState {
  return { tokens: burst, lastMs: nowMs };
}

/**
 * Refills by the time elapsed, then takes one token if there is one (or, with `take` false, only says
 * whether there is one, so that two buckets can be checked before either is spent). A clock that
 * jumps backwards refills nothing (elapsed is clamped to 0) instead of draining or overflowing the bucket.
 */
export function takeToken(
  bucket: TokenBucketState,
  ratePerSecond: number,
  burst: number,
  nowMs: number,
  take = true,
): boolean {
  const elapsed = nowMs - bucket.lastMs;
  if (elapsed > 0) {
    bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * ratePerSecond) / 1000);
    bucket.lastMs = nowMs;
  } else if (elapsed < 0) {
    bucket.lastMs = nowMs;
  }
  if (bucket.tokens >= 1) {
    if (take) bucket.tokens -= 1;
    return true;
  }
  return false;
}
