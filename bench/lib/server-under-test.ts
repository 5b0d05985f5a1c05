/** The contract every SPA server in the benchmark fulfils: fwknopd today, spa-server next. @module */
import type { Host, Lab } from 'spa-test-kit/lab/netns';

/** Where a server runs: one fresh lab per server, so no rule or process of one can affect the other. */
export interface BenchEnv {
  readonly lab: Lab;
  /** Namespace the server, its firewall and the protected TCP service live in. */
  readonly server: Host;
  /** Namespace knocks and TCP probes come from (its eth0 also carries the alias addresses). */
  readonly client: Host;
  /** TCP port a service listens on in `server`; filtered for everyone until a grant. */
  readonly protectedPort: number;
  /** A private temporary directory for config files, keys and packets; removed after the run. */
  readonly workDir: string;
}

/**
 * What an attacker who holds every public key makes without a client's secret: 'unknown-tag', whole
 * well-formed knocks under a tag no configured client has; 'sniffed-tag', the header of a real knock
 * of this epoch (version, client tag, nonce) followed by random bytes, so only mac2 refuses it.
 */
export type ForgedKind = 'unknown-tag' | 'sniffed-tag';

export interface StartOptions {
  /** Seconds a grant lasts (fwknop's FW_ACCESS_TIMEOUT); phases pick it so grants expire or persist. */
  readonly accessTimeoutS: number;
  /**
   * Set by the bulk phase (figure 6): tens of thousands of knocks, built minutes before they arrive, all
   * from one sender. A server that supports knocksFor() widens its time window and per-source limits.
   */
  readonly bulk?: boolean;
}

/** A program and its arguments (never a shell string), with extra environment variables. */
export interface Command {
  readonly file: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface ServerUnderTest {
  /** Column name in the report, e.g. 'fwknopd' or 'spa-server'. */
  readonly name: string;
  /** Version line for the report, e.g. 'fwknopd 2.6.10 (iptables-nft)'. */
  version(): Promise<string>;
  /** Optional, once before the first start: e.g. bundle the CLIs so the run measures the current code. */
  prepare?(): Promise<void>;
  /**
   * Starts the server inside env.server with the protected port dropped by default, and resolves once it
   * accepts knocks. Must not touch anything outside the lab's namespaces and env.workDir.
   */
  start(env: BenchEnv, options: StartOptions): Promise<RunningServer>;
}

export interface RunningServer {
  /** PID of the daemon process itself (not of a wrapper), for /proc CPU and memory readings. */
  readonly pid: number;
  /** IPv4 address and UDP port knocks go to. */
  readonly knockAddress: string;
  readonly knockPort: number;
  /**
   * Builds one valid knock datagram asking access to the protected port for `allowIp`, without sending it.
   * The benchmark sends it later from a long-lived prober, so client start-up is not part of the
   * latency figures (it has a figure of its own). It must stay valid for a minute after it is built.
   */
  knock(allowIp: string): Promise<Uint8Array>;
  /** The real client CLI, run as a whole process for the cold-start figure, sending one knock to `target`. */
  clientCommand(allowIp: string, target: { address: string; port: number }): Command;
  /**
   * Optional (figure 7): what a person runs to open the protected port and wait until it accepts, asking
   * for `allowIp`, its report as JSON on stdout (`spa-client open --wait --json`).
   */
  openWaitCommand?(allowIp: string): Command;
  /**
   * Optional (figure 7): the client as an ssh ProxyCommand (`spa-client connect`): knocks for `allowIp`,
   * connects to the protected port once it opens, and relays stdin/stdout.
   */
  connectCommand?(allowIp: string): Command;
  /**
   * Optional (figure 7): the resident client agent (`spa-client agent --socket SOCKET`), with a profile
   * naming this server by its address, as a user would have it running. It signs the address the
   * route to the server uses (the runner sets it per run), so every connection is a fresh grant.
   */
  agentCommand?(socketPath: string): Promise<Command>;
  /**
   * Optional (figure 3): `count` datagrams the strongest informed attacker can make: one who knows the
   * server's public key and every client's, and has sniffed real knocks (see ForgedKind). Datagrams of
   * 'sniffed-tag' take their headers from `sniffed` real knocks built now. Byte copies of accepted
   * knocks are the phase's own to make (any server's knocks can be replayed). fwknopd has no such
   * class: knowing its keys is being a client.
   */
  forgedKnocks?(kind: ForgedKind, count: number, sniffed: number): Promise<Uint8Array[]>;
  /**
   * Optional (figure 6, bulk): one valid knock per entry of `addresses`, each asking access for that
   * address (signed into the knock, so any sender may deliver it) for `durations[i]` seconds (absent or
   * 0: the server's default). Called while the server is idle.
   */
  knocksFor?(addresses: readonly string[], durations?: readonly number[]): Promise<Uint8Array[]>;
  /**
   * Optional: grants in force now, as the server's status command lists them; `ms` is that command's
   * wall-clock time, from its start until it exited with its output read (not the bench's parse of it).
   */
  liveGrants?(): Promise<{
    readonly count: number;
    readonly ms: number;
    readonly parseMs?: number;
    /** Where the command took the table's shape from, when it says. */
    readonly shapeFrom?: string;
  }>;
  /** Optional: the server's own counters (name → value), e.g. its Prometheus metrics. */
  counters?(): Promise<Record<string, number>>;
  /**
   * Optional: the error lines the server logged since start, by kind (its event and operation), each
   * with how many and the first one's words: what a failure counter counted, for the results.
   */
  errors?(): Readonly<Record<string, { readonly count: number; readonly first: string }>>;
  /** Wall-clock times (epochMs) at which the server reported a grant, in order, since start. */
  grantTimes(): readonly number[];
  /** Stops the daemon and removes everything start() added to the lab's firewall. Idempotent. */
  stop(): Promise<void>;
}
