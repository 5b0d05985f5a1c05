/** Applies accepted knocks to the firewall driver, remembers what is live until when, and rebuilds the table if it vanishes. @module */
import type { IpAddress } from 'spa-protocol';
import type { FirewallDriver, Grant, GrantTarget, PortSpec } from './firewall/driver.js';
import type { DaemonLog } from './log.js';
import type { Metrics } from './metrics.js';

export interface GrantKeeperOptions {
  readonly driver: FirewallDriver;
  readonly clock: () => number;
  readonly log: DaemonLog;
  readonly metrics: Metrics;
}

interface LiveGrant {
  readonly grant: Grant;
  readonly expiresAtMs: number;
}

export interface GrantKeeper {
  /** Installs the table for `ports` (start and reload). Rejects with the driver's error. */
  setup(ports: readonly PortSpec[]): Promise<void>;
  /** One driver call for every address × port; extends live ones. Rejects with the driver's error. */
  open(
    client: string,
    addresses: readonly IpAddress[],
    ports: readonly PortSpec[],
    seconds: number,
  ): Promise<number>;
  /** Removes at once (close request). Rejects with the driver's error. */
  close(addresses: readonly IpAddress[], ports: readonly PortSpec[]): Promise<number>;
  /** Revokes the live grants of clients not in `keep` (keys removed by a reload). */
  revokeClientsExcept(keep: ReadonlySet<string>): Promise<void>;
  /** Revokes every grant, known or not, and forgets them; the table stays (`spa-server flush`). */
  revokeAll(): Promise<void>;
  /**
   * If the driver's table was deleted underneath, recreates it and re-grants what is still live.
   * A call while a check runs makes one more run after it (the deletion may postdate its read).
   */
  checkIntegrity(): Promise<void>;
  /** The ports of the last successful setup. */
  protectedPorts(): readonly PortSpec[];
  /** Live grants known to the daemon (not read from the kernel). */
  live(): Grant[];
}

export function targetsFor(addresses: readonly IpAddress[], ports: readonly PortSpec[]): GrantTarget[] {
  const out: GrantTarget[] = [];
  for (const a of addresses) {
    for (const p of ports)
      out.push({ family: a.family, address: a.text, protocol: p.protocol, port: p.port });
  }
  return out;
}

const keyOf = (t: GrantTarget): string => `${t.family}|${t.address}|${t.protocol}|${t.port}`;

export function createGrantKeeper(options: GrantKeeperOptions): GrantKeeper {
  const { driver, clock, log, metrics } = options;
  const ledger = new Map<string, LiveGrant>();
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

  const pruneExpired = (now: number): void => {
    for (const [key, g] of ledger) if (g.expiresAtMs <= now) ledger.delete(key);
  };

  const regrantLive = async (): Promise<number> => {
    const now = clock();
    pruneExpired(now);
    const isProtected = (g: LiveGrant): boolean =>
      ports.some((p) => p.protocol === g.grant.protocol && p.port === g.grant.port);
    const grants = [...ledger.values()].filter(isProtected).map((g) => ({
      ...g.grant,
      timeoutSeconds: Math.max(1, Math.ceil((g.expiresAtMs - now) / 1000)),
    }));
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

    open(client, addresses, openPorts, seconds) {
      const grants: Grant[] = targetsFor(addresses, openPorts).map((t) => ({
        ...t,
        timeoutSeconds: seconds,
        client,
      }));
      return serial(async () => {
        await driver.grant(grants);
        const expiresAtMs = clock() + seconds * 1000;
        for (const grant of grants) ledger.set(keyOf(grant), { grant, expiresAtMs });
        metrics.count('grants', grants.length);
        return grants.length;
      });
    },

    close(addresses, closePorts) {
      const targets = targetsFor(addresses, closePorts);
      return serial(async () => {
        await driver.revoke(targets);
        for (const t of targets) ledger.delete(keyOf(t));
        return targets.length;
      });
    },

    revokeClientsExcept(keep) {
      return serial(async () => {
        const gone = [...ledger.entries()].filter(([, g]) => !keep.has(g.grant.client));
        if (gone.length === 0) return;
        try {
          await driver.revoke(gone.map(([, g]) => g.grant));
          for (const [key] of gone) ledger.delete(key);
          log.event('info', 'grants.revoked', {
            count: gone.length,
            message: 'grants of removed clients revoked',
          });
        } catch (error) {
          failed('firewall.failed', error, { operation: 'revoke' });
        }
      });
    },

    revokeAll() {
      return serial(async () => {
        // Forget first: if the revoke fails half-way, a rebuild must not bring the grants back.
        const count = ledger.size;
        ledger.clear();
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

    protectedPorts: () => ports,

    live() {
      pruneExpired(clock());
      return [...ledger.values()].map((g) => g.grant);
    },
  };
  return keeper;
}
