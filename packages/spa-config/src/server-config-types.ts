/** The shape of server.json, as written (input) and after defaults (output). Documented field by field. @module */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type FirewallBackend = 'nftables' | 'iptables';
export type IptablesVariant = 'nft' | 'legacy';
/**
 * `"tcp/22"`, `["tcp/80", "tcp/443"]`, or `{"port": "tcp/15432", "forward": "10.0.0.5:5432"}`: a
 * gateway port that a grant leads on to an internal host (nftables only; spa-server README).
 */
export type ServicePorts = string | string[] | { port: string; forward: string | string[] };

export interface ClientConfig {
  /** Shown in logs and `status`; unique. */
  name: string;
  /** `spa-ed25519:...`; unique. */
  publicKey: string;
  /** Names of services (keys of `services`) this client may open. */
  services: string[];
  /** Seconds; at most the server's maxDuration, which is the default. */
  maxDuration?: number | undefined;
  /** CIDRs the knock must come from; empty means anywhere. */
  sourceNetworks: string[];
  /**
   * Accept knocks that name no address and open the datagram's source. Off by default: anyone who
   * sees such a knock can resend it from their own address (see spa-server README, "Source mode").
   */
  allowSourceAddress: boolean;
  /**
   * Each grant admits one new TCP connection: the kernel deletes it at the first, so others behind
   * the same carrier-grade NAT address cannot connect after the client (spa-server README, "One-shot grants").
   */
  oneShot: boolean;
  /** Removed (see allowSourceAddress); naming it is an error. */
  requireSignedAddresses?: undefined;
  /** ISO date or date-time after which the key is refused; no grant it gets lasts past it. */
  expires?: string | undefined;
}

export interface ClientConfigInput {
  name: string;
  publicKey: string;
  services: string[];
  maxDuration?: number | undefined;
  sourceNetworks?: string[] | undefined;
  allowSourceAddress?: boolean | undefined;
  oneShot?: boolean | undefined;
  /** Removed: naming it is an error that says what replaced it. */
  requireSignedAddresses?: undefined;
  expires?: string | undefined;
}

export interface FirewallConfig {
  backend: FirewallBackend;
  /** nftables table (family inet), or the prefix of iptables chains and ipsets. */
  table: string;
  iptablesVariant: IptablesVariant;
  /** nftables only: the kernel's knock gate (spa-server README, "The kernel's knock gate"). */
  knockGate: boolean;
}

export interface RateLimitConfig {
  /** Datagrams per second per source address, sustained (after the mac2 check). */
  perSourceRate: number;
  perSourceBurst: number;
  /** Bound on the table of sources. */
  maxSources: number;
  /** Knocks per second per client key, sustained, counted after mac2, before any public-key work. */
  perClientRate: number;
  perClientBurst: number;
}

export interface ReplayConfig {
  /** (keyId, nonce) pairs held at most; when full of live entries, new knocks are refused (replay-full). */
  capacity: number;
  /** Live entries one client key may hold (client-replay-full beyond); less than capacity. */
  perClient: number;
  /** `file`: this server's record alone; `redis`: the file, and one record shared through Redis. */
  store: 'file' | 'redis';
  /** `redis://host:port/db`, `rediss://` (TLS) or `unix:///path`; never with a password. */
  url?: string | undefined;
  /** Redis ACL user. */
  username?: string | undefined;
  /** File holding the Redis password (mode 0600); relative to the config file. */
  passwordFile?: string | undefined;
  /** PEM file of the certificates that sign Redis's certificate (rediss:// only). */
  caFile?: string | undefined;
  /** Start of every Redis key; `spa:` and the server public key in hex by default. */
  keyPrefix?: string | undefined;
  /** Milliseconds one Redis call may take before the knock is refused. */
  timeout: number;
  /** While Redis cannot be asked: refuse every knock, or let this server's own record decide. */
  whenUnreachable: 'refuse' | 'local';
}

export interface LogConfig {
  level: LogLevel;
  /** Refusal lines per second; beyond this they are only counted. */
  refusalsPerSecond: number;
}

/** A program (absolute path) and its arguments; never a shell line. */
export type HookCommand = string[];

export interface HooksConfig {
  /** Run when a client gets access it did not hold. */
  grant?: HookCommand | undefined;
  /** Run when a client's knock renews access it still held. */
  extend?: HookCommand | undefined;
  /** Run when access ends before its time: close request, revocation by reload, duplicate, flush. */
  close?: HookCommand | undefined;
  /** Run when access ends because its time is up (the kernel's timeout). */
  expire?: HookCommand | undefined;
  /** Milliseconds a hook may run before its process group is killed. */
  timeout: number;
  /** Hooks running at once. */
  maxConcurrent: number;
  /** Events waiting for a slot; more are dropped and counted. */
  maxQueue: number;
}

export interface ServerConfig {
  /** Editors' hint; ignored. */
  $schema?: string | undefined;
  /** UDP sockets, `ip:port` or `[ipv6]:port`. */
  listen: string[];
  /** The server's X25519 private key file (mode 0600). Relative paths are relative to the config file. */
  serverKeyFile: string;
  stateDir: string;
  firewall: FirewallConfig;
  /** Service name → its ports. Every port listed here is closed to everyone without a grant. */
  services: Record<string, ServicePorts>;
  clients: ClientConfig[];
  /** More clients, one per line (see authorized-keys format in spa-server's README). */
  authorizedKeysFile?: string | undefined;
  /** More clients, one `NAME.json` file each holding a client entry (see spa-server's README). */
  clientsDir?: string | undefined;
  /** Reload when a file in clientsDir changes, as on SIGHUP. */
  watchClientsDir: boolean;
  /** Seconds a knock's timestamp may lie behind the server's clock. */
  timestampWindow: number;
  /** Seconds a knock's timestamp may lie ahead of the server's clock; at most timestampWindow. */
  futureWindow: number;
  /** Seconds a grant lasts when the client asks for the default. */
  defaultDuration: number;
  /** Upper bound, in seconds, for any grant. */
  maxDuration: number;
  /** Live (address, protocol, port) grants one client may hold at once. */
  maxGrantsPerClient: number;
  rateLimit: RateLimitConfig;
  replay: ReplayConfig;
  /** Knocks waiting for the expensive checks; more are dropped. */
  queueSize: number;
  log: LogConfig;
  /** Prometheus endpoint; absent means disabled. */
  metrics?: { listen: string; allowRemote: boolean } | undefined;
  /** Commands run on grant events (spa-server README, "Hooks"); absent means none. */
  hooks?: HooksConfig | undefined;
}

export interface ServerConfigInput {
  $schema?: string | undefined;
  listen?: string[] | undefined;
  serverKeyFile: string;
  stateDir?: string | undefined;
  firewall?: Partial<FirewallConfig> | undefined;
  services: Record<string, ServicePorts>;
  clients?: ClientConfigInput[] | undefined;
  authorizedKeysFile?: string | undefined;
  clientsDir?: string | undefined;
  watchClientsDir?: boolean | undefined;
  timestampWindow?: number | undefined;
  futureWindow?: number | undefined;
  defaultDuration?: number | undefined;
  maxDuration?: number | undefined;
  maxGrantsPerClient?: number | undefined;
  rateLimit?: Partial<RateLimitConfig> | undefined;
  replay?: Partial<ReplayConfig> | undefined;
  queueSize?: number | undefined;
  log?: Partial<LogConfig> | undefined;
  metrics?: { listen?: string | undefined; allowRemote?: boolean | undefined } | undefined;
  hooks?: Partial<HooksConfig> | undefined;
}
