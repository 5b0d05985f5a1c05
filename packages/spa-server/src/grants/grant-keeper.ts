/** Applies accepted knocks to the firewall driver per owning client, and rebuilds the table if it vanishes. @module */

import type { ActiveGrant, GrantTarget, PortSpec } from '../firewall/driver.js';
import { closeEvents } from './grant-events.js';
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
import { createRelease } from './release-grants.js';
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

  const release = createRelease({ ledger, inherited, driver, clock, touch, settle, emit });

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

    revokeUnless(allowed, reason = 'reload') {
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
            await release(owner, targets, reason);
            count += targets.length;
          }
          log.event('info', 'grants.revoked', {
            count,
            message:
              reason === 'expired'
                ? 'grants of keys whose expires has passed revoked'
                : 'grants of removed keys or services revoked',
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

    inherited: () => inherited.kept(clock(), (key) => ledger.hasKey(key)),

    revokeInherited(kernel, reason = 'restart') {
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
        for (const e of closeEvents(shares, reason, clock())) emit(e);
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
