/** A FirewallDriver in memory for unit tests: records every call, can fail on demand, can "lose" its table. @module */
import type { ActiveGrant, FirewallDriver, Grant, GrantTarget, PortSpec } from '../src/firewall/driver.js';
import { parseOwners } from '../src/firewall/grant-values.js';
import { SERVER_ERROR_CODES, ServerError } from '../src/shared/server-error.js';

export type DriverCall =
  | { op: 'setup'; ports: readonly PortSpec[] }
  | { op: 'grant'; grants: readonly Grant[] }
  | { op: 'revoke'; targets: readonly GrantTarget[] }
  | { op: 'forgetConnections'; targets: readonly GrantTarget[] }
  | { op: 'isIntact' | 'list' | 'flush' | 'close' | 'revokeAll' | 'inspect' };

export interface FakeDriver extends FirewallDriver {
  readonly calls: DriverCall[];
  /** Live grants by `family|address|protocol|port` (`|once` for one-shot ones), with the last timeout given. */
  readonly grants: Map<string, Grant>;
  /** Makes the next calls of `op` reject. */
  failNext(op: 'setup' | 'grant' | 'revoke' | 'revokeAll' | 'isIntact', times?: number): void;
  /** Simulates `nft delete table` by someone else. */
  loseTable(): void;
  intact: boolean;
}

const key = (t: GrantTarget): string =>
  `${t.family}|${t.address}|${t.protocol}|${t.port}${t.lastPort === undefined ? '' : `-${t.lastPort}`}${t.once === true ? '|once' : ''}`;

export function createFakeDriver(): FakeDriver {
  const calls: DriverCall[] = [];
  const grants = new Map<string, Grant>();
  const failures = new Map<string, number>();
  const maybeFail = (op: string): void => {
    const n = failures.get(op) ?? 0;
    if (n > 0) {
      failures.set(op, n - 1);
      throw new ServerError(SERVER_ERROR_CODES.firewallCommandFailed, `fake ${op} failed`);
    }
  };
  const driver: FakeDriver = {
    name: 'nftables',
    calls,
    grants,
    intact: false,
    failNext(op, times = 1) {
      failures.set(op, times);
    },
    loseTable() {
      driver.intact = false;
      grants.clear();
    },
    async setup(ports) {
      calls.push({ op: 'setup', ports });
      maybeFail('setup');
      driver.intact = true;
    },
    async grant(list) {
      calls.push({ op: 'grant', grants: list });
      maybeFail('grant');
      for (const g of list) grants.set(key(g), g);
    },
    async revoke(targets) {
      calls.push({ op: 'revoke', targets });
      maybeFail('revoke');
      for (const t of targets) grants.delete(key(t));
    },
    async forgetConnections(targets) {
      calls.push({ op: 'forgetConnections', targets });
    },
    async list(): Promise<ActiveGrant[]> {
      calls.push({ op: 'list' });
      return [...grants.values()].map((g) => ({
        ...g,
        owners: parseOwners(g.client),
        expiresInSeconds: g.timeoutSeconds,
      }));
    },
    async revokeAll() {
      calls.push({ op: 'revokeAll' });
      maybeFail('revokeAll');
      grants.clear();
    },
    async inspect() {
      calls.push({ op: 'inspect' });
      return { protection: driver.intact ? 'installed' : 'missing', ports: [], grants: await driver.list() };
    },
    async watchCommand() {
      return undefined;
    },
    async isIntact() {
      calls.push({ op: 'isIntact' });
      maybeFail('isIntact');
      return driver.intact;
    },
    async flush() {
      calls.push({ op: 'flush' });
      grants.clear();
      driver.intact = false;
    },
    async close() {
      calls.push({ op: 'close' });
    },
  };
  return driver;
}
