/** Firewall driver: how the daemon asks the kernel to open a port for one address, with a kernel-side timeout. @module */

import type { PortSpec } from '../config/resolved-config.js';

// Port specs come from the configuration's services; the driver's API speaks of them too.
export type { PortSpec, TransportProtocol } from '../config/resolved-config.js';

/** One (address, protocol, port) allowance. `address` is canonical text (IPv4 dotted, IPv6 compressed). */
export interface GrantTarget extends PortSpec {
  readonly family: 4 | 6;
  readonly address: string;
  /**
   * One-shot: the first new TCP connection from the address deletes the element, so it admits one
   * connection only (nftables; a single TCP port). Part of the target's identity: a plain and a
   * one-shot grant of the same address and port are two elements.
   */
  readonly once?: boolean;
}

export interface Grant extends GrantTarget {
  /** Seconds until the kernel removes the element by itself, even if the daemon is dead. */
  readonly timeoutSeconds: number;
  /**
   * The owners' names as stored with the element (set element comment), so `status` can read them
   * back: one client name, or several comma-separated (built by `ownerComment`).
   */
  readonly client: string;
}

/** A grant as read back from the kernel. */
export interface ActiveGrant extends GrantTarget {
  /** The element comment as stored: the owners, comma-separated. */
  readonly client: string;
  /** The owners' names from the comment; a last item `+N` stands for N more that did not fit. */
  readonly owners: readonly string[];
  readonly expiresInSeconds: number;
}

/** Which grants inspect() reads from the kernel. */
export type InspectGrants = 'all' | 'one-shot';

/**
 * Whether inspect() reads the table's shape (its chains and rules) or takes it as vouched for by the
 * running daemon, reading only the sets it reports (nftables: a listing with rules costs seconds at
 * 100,000 grants). A driver whose listing is cheap reads the shape either way.
 */
export type InspectShape = 'read' | 'vouched';

/**
 * How much an integrity check reads. `full`: as much as the driver can (nftables: a listing that
 * makes nft fetch every set element). `light`: the table's skeleton only (nftables: the table, its
 * chains, rules and set declarations, and the `protected` ports, without fetching any grant), for
 * while the kernel event stream reports every change. A driver whose check is cheap ignores it.
 */
export type IntactScope = 'full' | 'light';

/** What the kernel holds of a driver's objects, as `status` reports it. */
export interface ProtectionState {
  /** installed: every object is there; missing: none is; incomplete: some are (ports may be open). */
  readonly protection: 'installed' | 'missing' | 'incomplete';
  /** Ports dropped for addresses without a grant, in every address family. */
  readonly ports: readonly PortSpec[];
  readonly grants: readonly ActiveGrant[];
}

/** A resolved executable and the arguments that always precede the tool's own. */
export interface ToolCommand {
  readonly file: string;
  readonly prefix: readonly string[];
  /** Short name for messages ('nft', 'ipset', ...). */
  readonly name: string;
}

/**
 * A long-lived command whose output lines report kernel changes (`nft monitor destroy`), and which
 * of those lines concern the driver's objects.
 */
export interface WatchCommand {
  readonly command: ToolCommand;
  readonly args: readonly string[];
  /** A deletion that may have opened a port: the daemon checks its table at once. */
  concerns(line: string): boolean;
  /**
   * Any other change to the driver's objects (a rule or chain added, a port added): the periodic
   * check handles it, but until then the daemon does not vouch for the table's shape in `status`.
   */
  touches?(line: string): boolean;
  /**
   * A change after which the stream's own view of the objects is stale, so it is restarted at once
   * (nft 1.0.6's monitor stops printing a set's element deletions once the set is re-added).
   */
  stales?(line: string): boolean;
  /** The stream says it lost events (its socket overflowed): counted and logged; `concerns` too. */
  lost?(line: string): boolean;
}

/** A granted knock's client tag and nonce (payload bytes 4–35) for the kernel's knock gate, and how long the kernel keeps them. */
export interface SpentNonce {
  readonly tagNonceHex: string;
  readonly timeoutSeconds: number;
}

/**
 * The kernel's pre-filter of datagrams to the daemon's ports (knock-gate.ts), where the backend has
 * one (nftables). The daemon keeps it in step with its client tags and granted nonces.
 */
export interface KnockGateControl {
  /** Makes the kernel pass exactly these client tags (hex); kept across setup() and repairs. */
  setTags(tags: readonly string[]): Promise<void>;
  /** Makes the kernel drop datagrams carrying these tag-and-nonce values until their timeout. */
  spend(nonces: readonly SpentNonce[]): Promise<void>;
  /**
   * Datagrams the kernel dropped before the socket, by counter name (`knock_tag`, ...), since the
   * table was made. Read in the background, paced by the read's cost; a call waits a second at most
   * for a read due or running, then answers the last one read (undefined before the
   * first read ends, or after a failed one).
   */
  drops(): Promise<Readonly<Record<string, number>> | undefined>;
}

/**
 * The daemon's only way to touch the kernel. Implementations own exactly one table/chain family and
 * touch nothing else; every method resolves only once the kernel confirmed the change, and rejects
 * with a ServerError (a FIREWALL_* code, the original error as `cause`) otherwise.
 */
export interface FirewallDriver {
  readonly name: 'nftables' | 'iptables';
  /** The knock gate, when the driver was made with one (nftables only). */
  readonly knockGate?: KnockGateControl;
  /**
   * Creates the driver's table/sets/chains, or reconciles them with what is there (after a restart,
   * elements with time left are kept), so that `ports` are dropped for every address without a grant
   * while established connections keep working.
   */
  setup(ports: readonly PortSpec[]): Promise<void>;
  /** Adds grants, or extends existing ones to the new timeout (never duplicates). */
  grant(grants: readonly Grant[]): Promise<void>;
  /** Removes grants at once (close requests). Missing ones are not an error. */
  revoke(targets: readonly GrantTarget[]): Promise<void>;
  /**
   * Deletes the kernel's connection tracking entries from each target's address to its port, so a
   * connection opened during a revoked grant cannot go on (conntrack -D). None found is not an error.
   */
  forgetConnections(targets: readonly GrantTarget[]): Promise<void>;
  /** The grants active now, read from the kernel. */
  list(): Promise<ActiveGrant[]>;
  /** True while the driver's table/chains/sets are all still present (detects deletion underneath). */
  isIntact(scope?: IntactScope): Promise<boolean>;
  /** Removes every grant at once and keeps the table: the protected ports stay dropped for everyone. */
  revokeAll(): Promise<void>;
  /**
   * What is installed now, read from the kernel (for `status`). `one-shot`: of the grants, only the
   * one-shot ones (their kernel's copy is the only one that knows a spent one is gone), which spares
   * listing every element when the daemon's ledger has the others.
   */
  inspect(grants?: InspectGrants, shape?: InspectShape): Promise<ProtectionState>;
  /**
   * The kernel event stream that reports deletions of the driver's objects, or undefined when the
   * backend has none (iptables-legacy) or its tool is not installed: then only polling notices them.
   */
  watchCommand(): Promise<WatchCommand | undefined>;
  /** Removes everything this driver installed. */
  flush(): Promise<void>;
  /** Stops helper processes; leaves rules and grants in the kernel (they expire by themselves). */
  close(): Promise<void>;
}
