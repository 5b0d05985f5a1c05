/** What the packet path asks of a replay store, whichever one the configuration chose (file, or file and Redis). @module */
import type { ReplayLimits, ReplayRefusal, ReplayVerdict } from './replay-limits.js';

/**
 * Why a reserved knock may still not be granted: another server sharing the store accepted it first
 * (`replay`), the shared store's floor says it is older than what the store can vouch for (`stale`),
 * or the shared store could not be asked in time (`replay-store-unreachable`). A store of one server
 * never says any of these: its reservation in memory is already final.
 */
export type CommitVerdict = 'replay' | 'stale' | 'replay-store-unreachable' | undefined;

export interface ReplayGuard {
  /** Shared by several servers: commit() can refuse a knock that reserve() let through. */
  readonly shared: boolean;
  /** §7 7, synchronous: this server's own record (and the floor is checked later by check()). */
  seen(keyIdHex: string, nonceHex: string): boolean;
  /** §7 15 (plus the floor), synchronous, this server's own record. */
  check(keyId: Uint8Array, nonce: Uint8Array, timestampMs: number): ReplayVerdict;
  /** Reserves in this server's memory at once (a copy in the same batch is a replay), within its bounds. */
  reserve(keyId: Uint8Array, nonce: Uint8Array, timestampMs: number): ReplayRefusal | undefined;
  /**
   * Resolves once the reservation is final (for this server, at once unless the timestamp is beyond
   * the durable high-water mark; see replay-store.ts), and for a shared store, this server's alone:
   * nothing may be granted before, nor when it resolves to a verdict. Rejects when the record could
   * not be written (`replay-store-failed`).
   */
  commit(keyId: Uint8Array, nonce: Uint8Array, timestampMs: number): Promise<CommitVerdict>;
  /** Periodic pruning and compaction. */
  maintain(): Promise<void>;
  setLimits(limits: ReplayLimits): void;
  readonly size: number;
  readonly floorMs: number;
  close(): Promise<void>;
}
