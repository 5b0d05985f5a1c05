/** Per-source token buckets in front of the expensive checks: a bounded table that forgets the least recently seen source. @module */
import type { IpAddress } from 'spa-protocol';
import { createBucket, type TokenBucketState, takeToken } from '../shared/token-bucket.js';

export interface RateLimiterOptions {
  /** Sustained datagrams per second per source. */
  readonly rate: number;
  readonly burst: number;
  /** Bound on the table; beyond it the least recently seen source is forgotten. */
  readonly maxSources: number;
  readonly clock: () => number;
}

export interface RateLimiter {
  /** True when `source` may send one more datagram now; spends its token unless `take` is false. */
  allow(source: IpAddress, take?: boolean): boolean;
  /** Sources currently tracked (for tests and metrics). */
  readonly size: number;
  /** New limits apply at once; the table keeps its buckets, trimmed to the new bound. */
  reconfigure(options: Omit<RateLimiterOptions, 'clock'>): void;
}

/**
 * IPv6 sources share one bucket per /64, as in WireGuard's ratelimiter: a single host usually owns a
 * whole /64, and per-address buckets would let it flush the table with 2^64 fresh addresses.
 */
export function sourceKey(source: IpAddress): string {
  const b = source.bytes;
  if (source.family === 4) return source.text;
  let key = '6:';
  for (let i = 0; i < 8; i++) key += (b[i] ?? 0).toString(16).padStart(2, '0');
  return key;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  let { rate, burst, maxSources } = options;
  const { clock } = options;
  // A Map iterates in insertion order; re-inserting on every hit keeps the least recently seen first.
  const table = new Map<string, TokenBucketState>();
  const trim = (bound: number): void => {
    for (const key of table.keys()) {
      if (table.size <= bound) break;
      table.delete(key);
    }
  };
  return {
    allow(source, take = true) {
      const key = sourceKey(source);
      const now = clock();
      let bucket = table.get(key);
      if (bucket) {
        table.delete(key);
      } else {
        trim(maxSources - 1);
        bucket = createBucket(burst, now);
      }
      table.set(key, bucket);
      return takeToken(bucket, rate, burst, now, take);
    },
    get size() {
      return table.size;
    },
    reconfigure(next) {
      ({ rate, burst, maxSources } = next);
      trim(maxSources);
    },
  };
}
