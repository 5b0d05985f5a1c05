/** Grants the kernel lost underneath (a set flushed, an element deleted by hand), put back from the ledger by a full integrity check. @module */
import type { FirewallDriver, Grant, GrantTarget } from '../firewall/driver.js';
import type { DaemonLog } from '../observability/log.js';
import type { GrantLedger } from './grant-ledger.js';
import { grantOf } from './grant-ledger-views.js';
import { targetKey } from './target-key.js';

/** An element with less time left than this may have timed out in the kernel first (whole seconds there). */
const EXPIRY_MARGIN_MS = 2000;

export interface LostGrantParts {
  readonly driver: FirewallDriver;
  readonly ledger: GrantLedger;
  readonly clock: () => number;
  readonly log: DaemonLog;
  /** Runs work in the grant queue, between grants. */
  readonly inQueue: <T>(work: () => Promise<T>) => Promise<T>;
  /** Whether a target's port is still protected (a reload may have removed it). */
  readonly isProtected: (t: GrantTarget) => boolean;
  /** Logs and counts a failed driver call. */
  readonly failed: (event: string, error: unknown, fields?: Record<string, unknown>) => void;
}

/**
 * Returns a restore that reads the kernel's timed grants beside the queue (seconds of nft at
 * 100,000 grants, which queued grants must not wait), then, in the queue, grants again what the
 * ledger held before the read and still holds, live, but the kernel did not. Elements granted while
 * the kernel was read are not in the snapshot, so are never taken for lost; one-shot elements are
 * never restored (a connection spends them). Resolves false when the kernel could not be read or refused the grants.
 */
export function createLostGrantRestore(parts: LostGrantParts): () => Promise<boolean> {
  const { driver, ledger, clock, log } = parts;
  return async () => {
    if (!driver.heldGrants) return true;
    const before = new Set(ledger.keys());
    if (before.size === 0) return true;
    let held: Set<string>;
    try {
      held = new Set((await driver.heldGrants()).map(targetKey));
    } catch (error) {
      parts.failed('firewall.failed', error, { operation: 'heldGrants' });
      return false;
    }
    return parts.inQueue(async () => {
      const now = clock();
      const lost: Grant[] = [];
      for (const element of ledger.elements()) {
        const t = element.target;
        if (t.once === true || (element.expiresAtMs ?? 0) <= now + EXPIRY_MARGIN_MS) continue;
        const key = targetKey(t);
        if (before.has(key) && !held.has(key) && parts.isProtected(t)) lost.push(grantOf(element, now));
      }
      if (lost.length === 0) return true;
      log.event('warn', 'firewall.grants-lost', {
        count: lost.length,
        message: `${lost.length} grants deleted underneath: granting them again`,
      });
      try {
        await driver.grant(lost);
        return true;
      } catch (error) {
        parts.failed('firewall.failed', error, { operation: 'restore' });
        return false;
      }
    });
  };
}
