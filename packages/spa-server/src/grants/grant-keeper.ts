/** Applies accepted knocks to the firewall driver per owning client, and rebuilds the table if it vanishes. @module */

import { portAllows } from '../config/port-spec.js';
import type { Grant, GrantTarget, PortSpec } from '../firewall/driver.js';
import { ownerComment } from '../firewall/grant-values.js';
import {
  type GrantKeeper,
  type GrantKeeperOptions,
  grantLimitError,
  grantsFullError,
  PRUNE_INTERVAL_MS,
  targetsFor,
} from './grant-keeper-api.js';
import { type ElementState, GrantLedger, PRUNE_SLICE } from './grant-ledger.js';

/** The driver's grant for an element state with owners left. */
function grantOf(state: ElementState, now: number): Grant {
  return {
    ...state.target,
    timeoutSeconds: Math.max(1, Math.ceil(((state.expiresAtMs ?? now) - now) / 1000)),
    client: ownerComment(state.names),
  };
}

export function createGrantKeeper(options: GrantKeeperOptions): GrantKeeper {
  const { driver, clock, log, metrics } = options;
  const ledger = new GrantLedger(options.maxGrantsPerFamily);
  let ports: readonly PortSpec[] = [];
  let prunedAt = Number.NEGATIVE_INFINITY;
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
  // A sweep of the ledger runs one slice per turn of the event loop: 100,000 grants expiring at once
  // never hold a knock up for longer than one slice.
  let sweep: Promise<void> | undefined;
  const startSweep = (now: number): Promise<void> => {
    prunedAt = now;
    if (sweep) return sweep;
    if (ledger.prune(now, PRUNE_SLICE)) return Promise.resolve();
    sweep = new Promise<void>((resolve) => {
      const next = (): void => {
        if (!ledger.prune(now, PRUNE_SLICE)) return void setImmediate(next);
        sweep = undefined;
        resolve();
      };
      setImmediate(next);
    });
    return sweep;
  };
  const touch = (now: number): void => {
    if (now - prunedAt >= PRUNE_INTERVAL_MS) void startSweep(now);
  };

  /** Removes `keyId`'s ownership of `targets` in the kernel, then in the ledger; returns the elements deleted. */
  const release = async (keyId: string, targets: readonly GrantTarget[]): Promise<GrantTarget[]> => {
    const now = clock();
    touch(now);
    const regrant: Grant[] = [];
    const removed: GrantTarget[] = [];
    const unknown: GrantTarget[] = [];
    for (const t of targets) {
      const next = ledger.withoutOwner(keyId, t);
      if (next === undefined) {
        // Not in the ledger at all (granted before a restart): close it as before. Held by others only: theirs.
        if (!ledger.has(t)) unknown.push(t);
      } else if (next.expiresAtMs === undefined || next.expiresAtMs <= now) removed.push(t);
      else regrant.push(grantOf(next, now));
    }
    if (removed.length + unknown.length > 0) await driver.revoke([...removed, ...unknown]);
    if (regrant.length > 0) await driver.grant(regrant);
    for (const t of targets) ledger.remove(keyId, t);
    for (const t of removed) ledger.drop(t);
    return [...removed, ...unknown];
  };

  const regrantLive = async (): Promise<number> => {
    await startSweep(clock());
    const now = clock();
    const isProtected = (t: GrantTarget): boolean => ports.some((p) => portAllows(p, t));
    const grants: Grant[] = [];
    for (const element of ledger.elements()) {
      if (isProtected(element.target) && (element.expiresAtMs ?? 0) > now) grants.push(grantOf(element, now));
    }
    if (grants.length > 0) await driver.grant(grants);
    return grants.length;
  };

  let checking = false;
  let checkAgain = false;

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
      const targets = targetsFor(addresses, openPorts);
      return serial(async () => {
        const now = clock();
        touch(now);
        const added = targets.filter((t) => !ledger.owns(owner.keyId, t)).length;
        const held = ledger.heldBy(owner.keyId);
        if (held + added > maxGrants) throw grantLimitError(held, maxGrants);
        for (const family of [4, 6] as const) {
          const fresh = targets.filter((t) => t.family === family && !ledger.has(t)).length;
          if (fresh > 0 && ledger.count(family) + fresh > ledger.maxPerFamily)
            throw grantsFullError(family, ledger.maxPerFamily);
        }
        const expiresAtMs = now + seconds * 1000;
        await driver.grant(targets.map((t) => grantOf(ledger.withOwner(owner, t, expiresAtMs), now)));
        for (const t of targets) ledger.add(owner, t, expiresAtMs);
        metrics.count('grants', targets.length);
        return targets.length;
      });
    },

    close(owner, addresses, closePorts) {
      const targets = targetsFor(addresses, closePorts);
      return serial(() => release(owner.keyId, targets));
    },

    revokeConnections(owner, addresses, revokePorts) {
      const targets = targetsFor(addresses, revokePorts);
      return serial(async () => {
        const removed = await release(owner.keyId, targets);
        if (removed.length > 0) await driver.forgetConnections(removed);
        return removed;
      });
    },

    revokeUnless(allowed) {
      return serial(async () => {
        touch(clock());
        const byOwner = new Map<string, GrantTarget[]>();
        for (const { keyId, target } of ledger.ownerships()) {
          if (allowed(keyId, target)) continue;
          byOwner.set(keyId, [...(byOwner.get(keyId) ?? []), target]);
        }
        if (byOwner.size === 0) return;
        let count = 0;
        try {
          for (const [keyId, targets] of byOwner) {
            await release(keyId, targets);
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
        // Forget first: if the revoke fails half-way, a rebuild must not bring the grants back.
        const count = ledger.clear();
        await driver.revokeAll();
        log.event('info', 'grants.revoked', { count, message: 'all grants revoked (flush)' });
      });
    },

    async checkIntegrity() {
      if (checking) {
        checkAgain = true;
        return;
      }
      checking = true;
      try {
        await serial(async () => {
          let intact: boolean;
          try {
            intact = await driver.isIntact();
          } catch (error) {
            failed('firewall.failed', error, { operation: 'isIntact' });
            return;
          }
          if (intact) return;
          log.event('warn', 'firewall.missing', { message: 'firewall table missing: rebuilding' });
          try {
            await driver.setup(ports);
            const count = await regrantLive();
            metrics.count('firewallRebuilds');
            metrics.count('grants', count);
            log.event('warn', 'firewall.rebuilt', {
              count,
              message: `firewall rebuilt, ${count} grants restored`,
            });
          } catch (error) {
            failed('firewall.failed', error, { operation: 'rebuild' });
          }
        });
      } finally {
        checking = false;
      }
      if (checkAgain) {
        checkAgain = false;
        await keeper.checkIntegrity();
      }
    },

    prune: () => startSweep(clock()),

    protectedPorts: () => ports,

    *live() {
      const now = clock();
      for (const element of ledger.elements()) {
        if ((element.expiresAtMs ?? 0) > now) yield grantOf(element, now);
      }
    },

    count: () => ledger.count(4) + ledger.count(6),
    size: () => ledger.size,
  };
  return keeper;
}
