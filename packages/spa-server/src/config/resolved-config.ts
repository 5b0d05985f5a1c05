/** The server's configuration after validation and key loading: what the daemon runs on. @module */

import type { HookEventName, RedisEndpoint } from 'spa-config/server-config';
import type { LoadedClient } from './loaded-client.js';

export type TransportProtocol = 'tcp' | 'udp';

/** One protected port or port range: dropped for everyone except granted addresses. */
export interface PortSpec {
  readonly protocol: TransportProtocol;
  /** The port, or a range's first port. */
  readonly port: number;
  /** A range's last port (included), above `port`; absent for a single port. */
  readonly lastPort?: number;
  /**
   * A forwarded service's internal hosts, at most one per family: a grant of this (single) port
   * is led on to them (nftables DNAT) instead of being delivered to the gateway itself.
   */
  readonly forward?: readonly ForwardTarget[];
}

/** Where a forwarded port leads: an internal host's canonical address and port. */
export interface ForwardTarget {
  readonly family: 4 | 6;
  readonly address: string;
  readonly port: number;
}

export interface ListenAddress {
  /** Canonical IP text ('0.0.0.0', '::', '10.0.0.1'). */
  readonly address: string;
  readonly port: number;
}

/**
 * One configured client as the daemon runs on it: the fields of LoadedClient (loaded-client.ts),
 * which makes them from a ClientConfig and documents each. Tests and the warm-up check
 * (pipeline/warm-check.ts) give plain objects of this shape.
 */
export type ResolvedClient = { readonly [K in keyof LoadedClient]: LoadedClient[K] };

export interface ResolvedFirewall {
  readonly backend: 'nftables' | 'iptables';
  /** nftables table name (family inet), or the iptables chain/ipset name prefix. */
  readonly table: string;
  /** iptables only: which iptables flavour to drive. */
  readonly iptablesVariant: 'nft' | 'legacy';
  /** nftables only: install the knock gate (default true). */
  readonly knockGate: boolean;
}

/** replay.store "redis", with its secret files read. */
export interface ResolvedRedis {
  readonly endpoint: RedisEndpoint;
  readonly username: string | undefined;
  /** Read from replay.passwordFile; never logged, never in server.json. */
  readonly password: string | undefined;
  /** PEM text of replay.caFile. */
  readonly ca: string | undefined;
  /** Every key starts with it: servers with another prefix never see each other's entries. */
  readonly keyPrefix: string;
  readonly timeoutMs: number;
  readonly whenUnreachable: 'refuse' | 'local';
}

/** The `hooks` section: a command per event (absent: nothing runs) and the runner's bounds. */
export interface ResolvedHooks {
  /** Program (absolute path) and arguments per event; never a shell line. */
  readonly commands: Readonly<Partial<Record<HookEventName, readonly string[]>>>;
  readonly timeoutMs: number;
  readonly maxConcurrent: number;
  readonly maxQueue: number;
}

export interface ResolvedConfig {
  /** Path of the config file it came from (for reloads and messages). */
  readonly source: string;
  readonly listen: readonly ListenAddress[];
  readonly serverSecretKey: Uint8Array;
  readonly serverPublicKey: Uint8Array;
  readonly stateDir: string;
  readonly firewall: ResolvedFirewall;
  /** Service name → its ports. Every port of every service is protected. */
  readonly services: ReadonlyMap<string, readonly PortSpec[]>;
  readonly clients: readonly ResolvedClient[];
  /** How far a knock's timestamp may lie behind the server's clock (§7 12). */
  readonly timestampWindowSeconds: number;
  /** How far it may lie ahead; at most timestampWindowSeconds. */
  readonly futureWindowSeconds: number;
  readonly defaultDurationSeconds: number;
  readonly maxDurationSeconds: number;
  /** Live grants (address × port) one client may hold at once. */
  readonly maxGrantsPerClient: number;
  readonly rateLimit: {
    /** Sustained datagrams per second per source address after the mac2 check. */
    readonly perSourceRate: number;
    readonly perSourceBurst: number;
    /** Bound on the per-source table; the oldest entries are evicted. */
    readonly maxSources: number;
    /** Sustained knocks per second per client key, after mac2, before any public-key work. */
    readonly perClientRate: number;
    readonly perClientBurst: number;
  };
  readonly replay: {
    /** Entries held at most; full of live ones, new knocks are refused. */
    readonly capacity: number;
    /** Live entries one client key may hold; less than capacity. */
    readonly perClient: number;
    /** Set when the record is also shared with other servers through Redis. */
    readonly redis?: ResolvedRedis | undefined;
  };
  /** Bound of the queue in front of the expensive checks; drops when full. */
  readonly queueSize: number;
  readonly log: {
    readonly level: 'debug' | 'info' | 'warn' | 'error';
    /** Refusal log lines per second, beyond which they are counted, not written. */
    readonly refusalsPerSecond: number;
  };
  /** Prometheus endpoint; undefined when disabled. */
  readonly metrics: ListenAddress | undefined;
  readonly hooks: ResolvedHooks;
  /** clientsDir, absolute, and whether a change in it reloads; undefined when not configured. */
  readonly clientsDir?: { readonly path: string; readonly watch: boolean } | undefined;
}
