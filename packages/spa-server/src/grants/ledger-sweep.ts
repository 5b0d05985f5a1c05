/** Expiry of the grant ledger: swept in slices off the knock's path, each expiry reported as an event. @module */

import type { GrantTarget } from '../firewall/driver.js';
import { type ExpiredOwnership, expireEvents, type GrantEventSink } from './grant-events.js';
import { PRUNE_INTERVAL_MS } from './grant-keeper-api.js';
import { type GrantLedger, PRUNE_SLICE } from './grant-ledger.js';

export interface LedgerSweep {
  /** Starts a sweep as of `now` (or joins the one running); resolves when it has visited every slot. */
  startSweep(now: number): Promise<void>;
  /** Starts a sweep when the last began at least PRUNE_INTERVAL_MS ago. */
  touch(now: number): void;
  /**
   * Ends `keyId`'s shares of `targets` whose time is up, as expiries, before the caller's renewal or
   * close is applied: a knock after the kernel's timeout is a new grant, not an extension.
   */
  settle(keyId: string, targets: readonly GrantTarget[], now: number): void;
}

export function createLedgerSweep(ledger: GrantLedger, emit: GrantEventSink): LedgerSweep {
  let prunedAt = Number.NEGATIVE_INFINITY;
  // One slice per turn of the event loop: 100,000 grants expiring at once never hold a knock up for
  // longer than one slice.
  let sweep: Promise<void> | undefined;
  const pruneSlice = (now: number): boolean => {
    const expired: ExpiredOwnership[] = [];
    const done = ledger.prune(now, PRUNE_SLICE, expired);
    for (const e of expireEvents(expired, now)) emit(e);
    return done;
  };
  const startSweep = (now: number): Promise<void> => {
    prunedAt = now;
    if (sweep) return sweep;
    if (pruneSlice(now)) return Promise.resolve();
    sweep = new Promise<void>((resolve) => {
      const next = (): void => {
        if (!pruneSlice(now)) return void setImmediate(next);
        sweep = undefined;
        resolve();
      };
      setImmediate(next);
    });
    return sweep;
  };
  return {
    startSweep,
    touch(now) {
      if (now - prunedAt >= PRUNE_INTERVAL_MS) void startSweep(now);
    },
    settle(keyId, targets, now) {
      const expired: ExpiredOwnership[] = [];
      for (const target of targets) {
        const own = ledger.ownership(keyId, target);
        if (own === undefined || own.expiresAtMs > now) continue;
        ledger.remove(keyId, target);
        expired.push({ keyId, name: own.name, target, expiresAtMs: own.expiresAtMs });
      }
      for (const e of expireEvents(expired, now)) emit(e);
    },
  };
}
