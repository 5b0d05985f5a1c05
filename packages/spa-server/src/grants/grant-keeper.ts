/** Applies accepted knocks to the firewall driver per owning client, and rebuilds the table if it vanishes. @module */

import type { ActiveGrant, Grant, GrantTarget, PortSpec } from '../firewall/driver.js';
import { type CloseReason, closeEvents } from './grant-events.js';
import {
  type GrantKeeper,
  type GrantKeeperOptions,
  grantLimitError,
  grantsFullError,
  targetsFor,
} from './grant-keeper-api.js';
import { GrantLedger, type GrantOwner } from './grant-ledger.js';
import { grantOf } from './grant-ledger-views.js';
import { InheritedGrants } from './inherited-grants.js';
import { createIntegrityCheck } from './integrity-check.js';
import { createLedgerSweep } from './ledger-sweep.js';
import { createTableRepair } from './table-repair.js';

export function createGrantKeeper(options: GrantKeeperOptions): GrantKeeper {
  const { driver, clock, log, metrics } = options;
  const emit = options.events ?? (() => {});
  const ledger = new GrantLedger(options.maxGrantsPerFamily);
  const inherited = new InheritedGrants();
  let ports: readonly PortSpec[] = [];
  // Driver calls run one at a time, in order: a close must not overtake the open it undoes, and a
  // rebuild must not interleave with a grant.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = chain.then(work);
    chain = run.catch(() => {});
    return run;
  };
  const failed = (event: string, error: unknown, fields: Record<string, unknown> = {}): void => {
    metrics.count('firewallFailures');
    log.event('error', event, { ...fields, error: error instanceof Error ? error.message : String(error) });
  };
  const { startSweep, touch, settle } = createLedgerSweep(ledger, emit);

  /** Removes `owner`'s ownership of `targets` in the kernel, then in the ledger; returns the elements deleted. */
  const release = async (
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

  const { repair, reinherit } = createTableRepair({
    ledger,
    inherited,
    driver,
    clock,
    emit,
    log,
    metrics,
    failed,
    startSweep,
    ports: () => ports,
  });

  const checkIntegrity = createIntegrityCheck({
    planner: options.planner,
    isIntact: async (scope) => {
      const token = options.witness?.begin();
      let intact: boolean | undefined;
      try {
        intact = await driver.isIntact(scope);
      } catch (error) {
        failed('firewall.failed', error, { operation: 'isIntact' });
      }
      if (token) options.witness?.checked(token, intact);
      return intact;
    },
    inQueue: serial,
    repair,
  });

  const keeper: GrantKeeper = {
    setup(next) {
      return serial(async () => {
        await driver.setup(next);
        // The ledger keeps grants of ports no longer protected until they expire: a reload that
        // removes a client must still be able to revoke them.
        ports = next;
      });
    },

    open(owner, addresses, openPorts, seconds, maxGrants) {
      const targets = targetsFor(addresses, openPorts, owner.oneShot);
      return serial(async () => {
        const now = clock();
        touch(now);
        settle(owner.keyId, targets, now);
        const fresh = new Set(targets.filter((t) => !ledger.owns(owner.keyId, t)));
        const held = ledger.heldBy(owner.keyId);
        if (held + fresh.size > maxGrants) throw grantLimitError(held, maxGrants);
        for (const family of [4, 6] as const) {
          const fresh = targets.filter((t) => t.family === family && !ledger.has(t)).length;
          if (fresh > 0 && ledger.count(family) + fresh > ledger.maxPerFamily)
            throw grantsFullError(family, ledger.maxPerFamily);
        }
        const expiresAtMs = now + seconds * 1000;
        await driver.grant(targets.map((t) => grantOf(ledger.withOwner(owner, t, expiresAtMs), now)));
        inherited.forget(targets);
        for (const t of targets) ledger.add(owner, t, expiresAtMs);
        metrics.count('grants', targets.length);
        const client = owner.name;
        if (fresh.size > 0) emit({ type: 'grant', client, targets: [...fresh], expiresAtMs, atMs: now });
        const renewed = targets.filter((t) => !fresh.has(t));
        if (renewed.length > 0) {
          // A shorter re-knock never shortens a grant: the event gives the end the owner now holds.
          const ends = renewed.map((t) => ledger.ownership(owner.keyId, t)?.expiresAtMs ?? expiresAtMs);
          emit({ type: 'extend', client, targets: renewed, expiresAtMs: Math.max(...ends), atMs: now });
        }
        return targets.length;
      });
    },

    close(owner, addresses, closePorts) {
      const targets = targetsFor(addresses, closePorts, owner.oneShot);
      return serial(() => release(owner, targets, 'client'));
    },

    revokeConnections(owner, addresses, revokePorts) {
      const targets = targetsFor(addresses, revokePorts, owner.oneShot);
      return serial(async () => {
        const removed = await release(owner, targets, 'duplicate');
        // What nobody is known to hold any more, an element the ledger already forgot as expired
        // included: its connections outlived it. One an earlier run left to other owners is theirs.
        const ended = targets.filter((t) => !ledger.has(t) && !inherited.has(t));
        if (ended.length > 0) await driver.forgetConnections(ended);
        return removed;
      });
    },

    revokeUnless(allowed) {
      return serial(async () => {
        touch(clock());
        const byOwner = new Map<string, { owner: GrantOwner; targets: GrantTarget[] }>();
        for (const { keyId, name, target } of ledger.ownerships()) {
          if (allowed(keyId, target)) continue;
          const entry = byOwner.get(keyId) ?? { owner: { keyId, name }, targets: [] };
          entry.targets.push(target);
          byOwner.set(keyId, entry);
        }
        if (byOwner.size === 0) return;
        let count = 0;
        try {
          for (const { owner, targets } of byOwner.values()) {
            await release(owner, targets, 'reload');
            count += targets.length;
          }
          log.event('info', 'grants.revoked', {
            count,
            message: 'grants of removed keys or services revoked',
          });
        } catch (error) {
          failed('firewall.failed', error, { operation: 'revoke' });
        }
      });
    },

    revokeAll() {
      return serial(async () => {
        const closing = closeEvents(ledger.ownerships(), 'flush', clock());
        // Forget first: if the revoke fails half-way, a rebuild must not bring the grants back.
        const count = ledger.clear();
        inherited.clear();
        try {
          await driver.revokeAll();
        } catch (error) {
          // What the kernel kept is still open: status must go on showing it.
          await reinherit();
          throw error;
        }
        for (const e of closing) emit(e);
        log.event('info', 'grants.revoked', { count, message: 'all grants revoked (flush)' });
      });
    },

    checkIntegrity,

    prune: () => startSweep(clock()),

    protectedPorts: () => ports,

    *live() {
      const now = clock();
      for (const element of ledger.elements()) {
        if ((element.expiresAtMs ?? 0) > now) yield grantOf(element, now);
      }
      yield* inherited.live(now, (key) => ledger.hasKey(key));
    },

    inherit: (kernel) => inherited.adopt(kernel, clock()),

    revokeInherited(kernel) {
      return serial(async () => {
        const refused = kernel.filter((g) => !ledger.has(g));
        if (refused.length === 0) return true;
        const targets = refused.map(targetOfActive);
        try {
          await driver.revoke(targets);
        } catch (error) {
          failed('firewall.failed', error, { operation: 'revoke' });
          return false;
        }
        inherited.forget(targets);
        // The kernel names owners, not keys: a hook hears of each owner by name, `+N` left out.
        const shares = refused.flatMap((g, i) =>
          g.owners
            .filter((name) => !name.startsWith('+'))
            .map((name) => ({ keyId: name, name, target: targets[i] as GrantTarget })),
        );
        for (const e of closeEvents(shares, 'restart', clock())) emit(e);
        return true;
      });
    },

    count: () => ledger.count(4) + ledger.count(6),
    size: () => ledger.size,
  };
  return keeper;
}

/** The target of an element read from the kernel, without what the listing adds. */
function targetOfActive(grant: ActiveGrant): GrantTarget {
  const { client: _client, owners: _owners, expiresInSeconds: _left, ...target } = grant;
  return target;
}
