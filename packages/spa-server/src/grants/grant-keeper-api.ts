/** What the daemon asks of its grant keeper: open, close and revoke per owning client, a cap, pruning. @module */
import type { IpAddress } from 'spa-protocol';
import type { ActiveGrant, FirewallDriver, Grant, GrantTarget, PortSpec } from '../firewall/driver.js';
import type { DaemonLog } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import { SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';
import type { GrantEventSink } from './grant-events.js';
import type { GrantOwner } from './grant-ledger.js';
import type { IntegrityPlanner } from './integrity-planner.js';
import type { ShapeWitness } from './shape-witness.js';

export interface GrantKeeperOptions {
  readonly driver: FirewallDriver;
  readonly clock: () => number;
  readonly log: DaemonLog;
  readonly metrics: Metrics;
  /**
   * Told of every grant, extend, close and expire once the kernel has it (expire: once the ledger
   * sees the time is up, at the latest on the next prune). Called synchronously: must not block.
   */
  readonly events?: GrantEventSink | undefined;
  /** Elements of one address family the ledger holds at most; default the kernel sets' bound. */
  readonly maxGrantsPerFamily?: number;
  /** Told of each integrity check's outcome, so the daemon can vouch for the table's shape. */
  readonly witness?: ShapeWitness | undefined;
  /** Which integrity checks may be light (the daemon's, told by the kernel event stream); all are full without. */
  readonly planner?: IntegrityPlanner | undefined;
}

/** A grant refused because its client already holds `maxGrants` live grants. */
export function grantLimitError(held: number, maxGrants: number): ServerError {
  return new ServerError(
    SERVER_ERROR_CODES.grantLimit,
    `client holds ${held} live grants, the limit is ${maxGrants}`,
  );
}

/** A grant refused because the ledger (and the kernel's set) holds `max` elements of its family. */
export function grantsFullError(family: 4 | 6, max: number): ServerError {
  return new ServerError(
    SERVER_ERROR_CODES.grantsFull,
    `the server holds ${max} live IPv${family} grants, the most its firewall sets hold`,
  );
}

/** A full pass over the ledger at most this often when it is touched (and from the daemon's timer). */
export const PRUNE_INTERVAL_MS = 1000;

export interface GrantKeeper {
  /** Installs the table for `ports` (start and reload). Rejects with the driver's error. */
  setup(ports: readonly PortSpec[]): Promise<void>;
  /**
   * `owner` holds every address × port for `seconds` (never less than it already held). The kernel
   * element lasts until the latest of its owners' grants ends. Rejects with ServerError GRANT_LIMIT when the
   * owner would hold more than `maxGrants`, or with the driver's error.
   */
  open(
    owner: GrantOwner,
    addresses: readonly IpAddress[],
    ports: readonly PortSpec[],
    seconds: number,
    maxGrants: number,
  ): Promise<number>;
  /**
   * Ends `owner`'s grants (close request): an element other owners hold stays, until their latest
   * expiry; one nobody else holds is removed. One from before the start (not in the ledger) is removed
   * only when its comment names `owner`. Resolves with the targets removed from the kernel.
   */
  close(
    owner: GrantOwner,
    addresses: readonly IpAddress[],
    ports: readonly PortSpec[],
  ): Promise<GrantTarget[]>;
  /** close(), then deletes the tracked connections of every element it removed (a source-mode duplicate). */
  revokeConnections(
    owner: GrantOwner,
    addresses: readonly IpAddress[],
    ports: readonly PortSpec[],
  ): Promise<GrantTarget[]>;
  /**
   * Revokes every ownership `allowed` refuses (reload: keys removed, services taken away; `expired`:
   * a client's `expires` passed), with close events of `reason` (`reload` by default).
   */
  revokeUnless(
    allowed: (keyId: string, target: GrantTarget) => boolean,
    reason?: 'reload' | 'expired',
  ): Promise<void>;
  /** Revokes every grant, known or not, and forgets them; the table stays (`spa-server flush`). */
  revokeAll(): Promise<void>;
  /**
   * If the driver's table was deleted underneath, recreates it and re-grants what is still live.
   * A call while a check runs makes one more run after it (the deletion may postdate its read).
   */
  checkIntegrity(): Promise<void>;
  /** The ports of the last successful setup. */
  protectedPorts(): readonly PortSpec[];
  /**
   * Forgets expired grants (also started when the ledger is touched, at most once per PRUNE_INTERVAL_MS),
   * a slice of the ledger per turn of the event loop; resolves when the sweep is done.
   */
  prune(): Promise<void>;
  /**
   * Live grants known to the daemon (not read from the kernel), one per element, built as iterated:
   * the ledger's, then those inherited from before the start that no knock has taken over.
   */
  live(): IterableIterator<Grant>;
  /** The kernel's grants as read at start: elements an earlier run made, which live() then reports. */
  inherit(kernel: readonly ActiveGrant[]): void;
  /** The inherited elements still live that no knock has taken over since, as inspect() read them. */
  inherited(): ActiveGrant[];
  /**
   * At start, before inherit(), and at a reload: removes from the kernel elements an earlier run made
   * (as inspect() read them) that the configuration no longer allows, with a close event per owner
   * named (`reason`, `restart` by default; `expired` when a client's `expires` passed). An element the ledger holds is left alone. Resolves
   * false when the driver failed (logged and counted as `firewall.failed`): those elements are still
   * in the kernel.
   */
  revokeInherited(kernel: readonly ActiveGrant[], reason?: InheritedRevoke): Promise<boolean>;
  /** Elements held (both families), expired ones included until pruned: the spa_grants_live gauge. */
  count(): number;
  /** Entries held in memory, expired ones included until pruned (tests of the ledger's bound). */
  size(): number;
}

/** One target per address × port; `once` marks them one-shot (a one-shot owner's grants). */
export function targetsFor(
  addresses: readonly IpAddress[],
  ports: readonly PortSpec[],
  once = false,
): GrantTarget[] {
  const out: GrantTarget[] = [];
  const flag = once ? { once: true } : {};
  for (const a of addresses) {
    for (const p of ports) {
      // A range stays one target: its element covers FIRST-LAST in the kernel.
      const range = p.lastPort === undefined ? {} : { lastPort: p.lastPort };
      out.push({ family: a.family, address: a.text, protocol: p.protocol, port: p.port, ...range, ...flag });
    }
  }
  return out;
}

/** Why grants from before the start are revoked: at start, at a reload, at a client's `expires`. */
export type InheritedRevoke = 'restart' | 'reload' | 'expired';
