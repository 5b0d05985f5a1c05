/** A client's close (or a duplicate's or a reload's revoke): its ownership of some targets ended in the kernel, then in the ledger. @module */
import type { FirewallDriver, Grant, GrantTarget } from '../firewall/driver.js';
import { type CloseReason, closeEvents, type GrantEventSink } from './grant-events.js';
import type { GrantLedger, GrantOwner } from './grant-ledger.js';
import { grantOf } from './grant-ledger-views.js';
import type { InheritedGrants } from './inherited-grants.js';
import type { LedgerSweep } from './ledger-sweep.js';

export interface ReleaseDeps {
  readonly ledger: GrantLedger;
  readonly inherited: InheritedGrants;
  readonly driver: FirewallDriver;
  readonly clock: () => number;
  readonly touch: LedgerSweep['touch'];
  readonly settle: LedgerSweep['settle'];
  readonly emit: GrantEventSink;
}

/** The keeper's release, run inside its serial queue by the caller. */
export function createRelease(
  deps: ReleaseDeps,
): (owner: GrantOwner, targets: readonly GrantTarget[], reason: CloseReason) => Promise<GrantTarget[]> {
  const { ledger, inherited, driver, clock, touch, settle, emit } = deps;
  /** Removes `owner`'s ownership of `targets` in the kernel, then in the ledger; returns the elements deleted. */
  return async (
    owner: GrantOwner,
    targets: readonly GrantTarget[],
    reason: CloseReason,
  ): Promise<GrantTarget[]> => {
    const { keyId } = owner;
    const now = clock();
    touch(now);
    settle(keyId, targets, now);
    const regrant: Grant[] = [];
    const removed: GrantTarget[] = [];
    const unknown: GrantTarget[] = [];
    const refused: GrantTarget[] = [];
    const held: { keyId: string; name: string; target: GrantTarget }[] = [];
    for (const t of targets) {
      const name = ledger.ownership(keyId, t)?.name;
      if (name !== undefined) held.push({ keyId, name, target: t });
      const next = ledger.withoutOwner(keyId, t);
      if (next === undefined) {
        // Held by others only: theirs. Not in the ledger (granted before a restart): the element's
        // comment is all that says whose it is, so only its sole named owner removes it; a shared one
        // (the others' ends are unknown) or one never listed is left to its kernel timeout.
        if (ledger.has(t)) continue;
        if (inherited.ownedOnlyBy(t, owner.name, now)) unknown.push(t);
        else refused.push(t);
      } else if (next.expiresAtMs === undefined || next.expiresAtMs <= now) removed.push(t);
      // Re-adding a one-shot element to shorten it would restore it if a connection has spent it:
      // the others' element stays as it is, and ends at its own timeout.
      else if (t.once !== true) regrant.push(grantOf(next, now));
    }
    if (removed.length + unknown.length > 0) await driver.revoke([...removed, ...unknown]);
    if (regrant.length > 0) await driver.grant(regrant);
    // An element refused to this closer is still in the kernel, with its owners: status goes on showing it.
    inherited.forget(refused.length === 0 ? targets : targets.filter((t) => !refused.includes(t)));
    for (const t of targets) ledger.remove(keyId, t);
    for (const t of removed) ledger.drop(t);
    for (const e of closeEvents(held, reason, now)) emit(e);
    return [...removed, ...unknown];
  };
}
