/** Per-client token buckets, keyed by key id and consulted only after mac2: one client's flood spends only its own budget. @module */
import { createBucket, type TokenBucketState, takeToken } from '../shared/token-bucket.js';

export interface ClientLimiterOptions {
  /** Sustained knocks per second per client key. */
  readonly rate: number;
  readonly burst: number;
  readonly clock: () => number;
}

export interface ClientLimiter {
  /** True when the client with this key id (hex) may have one more knock checked now; spends its token unless `take` is false. */
  allow(keyIdHex: string, take?: boolean): boolean;
  /**
   * New limits apply at once. Buckets of keys no longer configured are dropped, so the table holds at
   * most one bucket per configured client: only datagrams that passed mac2 ever create one.
   */
  reconfigure(options: Omit<ClientLimiterOptions, 'clock'>, keyIds: ReadonlySet<string>): void;
  /** Buckets held (tests). */
  readonly size: number;
}

export function createClientLimiter(options: ClientLimiterOptions): ClientLimiter {
  let { rate, burst } = options;
  const { clock } = options;
  const table = new Map<string, TokenBucketState>();
  return {
    allow(keyIdHex, take = true) {
      const now = clock();
      let bucket = table.get(keyIdHex);
      if (!bucket) {
        bucket = createBucket(burst, now);
        table.set(keyIdHex, bucket);
      }
      return takeToken(bucket, rate, burst, now, take);
    },
    reconfigure(next, keyIds) {
      ({ rate, burst } = next);
      for (const [key, bucket] of table) {
        if (!keyIds.has(key)) table.delete(key);
        else bucket.tokens = Math.min(bucket.tokens, burst);
      }
    },
    get size() {
      return table.size;
    },
  };
}
