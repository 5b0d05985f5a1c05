/** Rebuilding a damaged table: the setup again, the ledger's live grants put back (one-shot ones forgotten), the kernel's survivors read. @module */
import { portAllows } from '../config/port-spec.js';
import type { FirewallDriver, Grant, GrantTarget, PortSpec } from '../firewall/driver.js';
import type { DaemonLog } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import { closeEvents, type GrantEventSink } from './grant-events.js';
import type { GrantLedger } from './grant-ledger.js';
import { grantOf } from './grant-ledger-views.js';
import type { InheritedGrants } from './inherited-grants.js';

export interface TableRepairParts {
  readonly ledger: GrantLedger;
  readonly inherited: InheritedGrants;
  readonly driver: FirewallDriver;
  readonly clock: () => number;
  readonly emit: GrantEventSink;
  readonly log: DaemonLog;
  readonly metrics: Metrics;
  /** Logs and counts a firewall failure. */
  readonly failed: (event: string, error: unknown, fields?: Record<string, unknown>) => void;
  /** The ledger's expiry sweep, run first so that nothing already over is put back. */
  readonly startSweep: (now: number) => Promise<void>;
  /** The ports the last setup protected. */
  readonly ports: () => readonly PortSpec[];
}

export interface TableRepair {
  /** Rebuilds the table and restores the grants; logs and counts its own failures. Run in the grant queue. */
  repair(): Promise<void>;
  /** Reads the kernel's grants into `inherited`; when it cannot, status shows the ledger's only. */
  reinherit(): Promise<void>;
}

export function createTableRepair(parts: TableRepairParts): TableRepair {
  const { ledger, inherited, driver, clock, emit, log, metrics, failed } = parts;

  const regrantLive = async (): Promise<number> => {
    await parts.startSweep(clock());
    const now = clock();
    const ports = parts.ports();
    const isProtected = (t: GrantTarget): boolean => ports.some((p) => portAllows(p, t));
    const grants: Grant[] = [];
    const once: GrantTarget[] = [];
    for (const element of ledger.elements()) {
      // Whether a connection spent a one-shot grant went with the table: restoring it could admit a
      // second connection, so it is forgotten (fail closed; the client knocks again).
      if (element.target.once === true) once.push(element.target);
      else if (isProtected(element.target) && (element.expiresAtMs ?? 0) > now)
        grants.push(grantOf(element, now));
    }
    const forgotten = [...ledger.ownerships()].filter((o) => o.target.once === true);
    for (const target of once) ledger.drop(target);
    for (const e of closeEvents(forgotten, 'repair', now)) emit(e);
    if (grants.length > 0) await driver.grant(grants);
    return grants.length;
  };

  const reinherit = async (): Promise<void> => {
    try {
      inherited.adopt((await driver.inspect('all')).grants, clock());
    } catch (error) {
      inherited.clear();
      failed('firewall.failed', error, { operation: 'inspect' });
    }
  };

  const repair = async (): Promise<void> => {
    log.event('warn', 'firewall.missing', { message: 'firewall table missing: rebuilding' });
    try {
      await driver.setup(parts.ports());
      const count = await regrantLive();
      // A repair keeps the elements of sets it did not have to recreate: read what is left.
      await reinherit();
      metrics.count('firewallRebuilds');
      metrics.count('grants', count);
      log.event('warn', 'firewall.rebuilt', {
        count,
        message: `firewall rebuilt, ${count} grants restored`,
      });
    } catch (error) {
      failed('firewall.failed', error, { operation: 'rebuild' });
    }
  };

  return { repair, reinherit };
}
