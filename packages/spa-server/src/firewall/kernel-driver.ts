/** What the nftables and iptables drivers share: common options, tools found once, the long-lived line shell for grants, conntrack, closing. @module */

import { SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';
import { connectionForgetter } from './conntrack.js';
import type {
  ActiveGrant,
  FirewallDriver,
  Grant,
  GrantTarget,
  InspectGrants,
  InspectShape,
  IntactScope,
  PortSpec,
  ProtectionState,
  ToolCommand,
  WatchCommand,
} from './driver.js';
import { checkGrants, checkNetnsName, checkTargets } from './grant-values.js';
import { checkKnockLimit, type KnockLimit } from './knock-limit.js';
import type { AckDialect } from './process/ack-reader.js';
import type { JoinBatches } from './process/batch-merge.js';
import { LineShell, type RunOptions } from './process/line-shell.js';
import { runToolOk } from './process/tool-command.js';

export interface KernelDriverOptions {
  /** Run every command inside this network namespace (`ip netns exec`); for tests. */
  readonly netns?: string;
  /** A command not answered within this time fails (a long-lived tool is replaced). Default 10 s. */
  readonly timeoutMs?: number;
  /** Grant/revoke batches waiting for the long-lived tool beyond this are refused. Default 10,000. */
  readonly maxPending?: number;
  /** Per-source limit on the daemon's UDP ports, installed with the driver's objects (see knock-limit.ts). */
  readonly knockLimit?: KnockLimit;
}

/** What differs per driver: how its tools are found and which of them takes grant/revoke lines. */
export interface DriverTools<T> {
  /** Finds the tools; a failure is not kept, so the next call looks again. */
  readonly find: (netns: string | undefined) => Promise<T>;
  /** The long-lived process written to for grants and revokes: `nft -i`, `ipset -`. */
  readonly shell: (tools: T) => {
    readonly command: ToolCommand;
    readonly args: readonly string[];
    readonly dialect: AckDialect;
    /** Joins grant batches into one all-or-nothing batch; without it each grant is written alone. */
    readonly join?: JoinBatches;
  };
  /** The shell lines for checked grants, and for checked revokes (never called with none). */
  readonly grantLines: (grants: readonly Grant[]) => readonly string[];
  readonly revokeLines: (targets: readonly GrantTarget[]) => readonly string[];
  /** Text of a shell failure that means the driver's objects went away, and the error to say so. */
  readonly missingText: string;
  readonly missingMessage: string;
}

/**
 * A driver whose grants and revokes are lines written to one long-lived tool process; a subclass
 * holds only what its backend does differently (setup, listings, integrity, removal).
 */
export abstract class KernelDriver<T> implements FirewallDriver {
  abstract readonly name: FirewallDriver['name'];
  protected readonly netns: string | undefined;
  protected readonly timeoutMs: number;
  protected readonly knockLimit: KnockLimit | undefined;
  readonly #maxPending: number;
  readonly #tools: DriverTools<T>;
  readonly #forgetConnections: (targets: readonly GrantTarget[]) => Promise<void>;
  #found: Promise<T> | undefined;
  #shell: LineShell | undefined;
  #closed = false;
  /** The last batch handed to the shell, and the last one-shot run: each waits for the other's earlier work. */
  #lastShell: Promise<unknown> = Promise.resolve();
  #lastOnce: Promise<unknown> = Promise.resolve();

  constructor(options: KernelDriverOptions, tools: DriverTools<T>) {
    this.netns = options.netns === undefined ? undefined : checkNetnsName(options.netns);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.#forgetConnections = connectionForgetter(this.netns, this.timeoutMs);
    this.#maxPending = options.maxPending ?? 10_000;
    this.knockLimit = options.knockLimit && checkKnockLimit(options.knockLimit);
    this.#tools = tools;
  }

  /** The tools, found on first use; also after close(), for what needs no live driver (watch commands). */
  protected find(): Promise<T> {
    this.#found ??= this.#tools.find(this.netns).catch((error: unknown) => {
      // Look again next time: the package may get installed while the daemon waits.
      this.#found = undefined;
      throw error;
    });
    return this.#found;
  }

  /** The tools of a driver that is not closed. */
  protected ready(): Promise<T> {
    return this.#closed ? Promise.reject(closedError()) : this.find();
  }

  abstract setup(ports: readonly PortSpec[]): Promise<void>;
  abstract list(): Promise<ActiveGrant[]>;
  abstract isIntact(scope?: IntactScope): Promise<boolean>;
  abstract revokeAll(): Promise<void>;
  abstract inspect(grants?: InspectGrants, shape?: InspectShape): Promise<ProtectionState>;
  abstract watchCommand(): Promise<WatchCommand | undefined>;
  abstract flush(): Promise<void>;

  async grant(grants: readonly Grant[]): Promise<void> {
    const checked = checkGrants(grants);
    // Grants arriving together (a burst of knocks) may share a transaction: see the shell's `join`.
    if (checked.length > 0) await this.run(this.#tools.grantLines(checked), { merge: true });
  }

  async revoke(targets: readonly GrantTarget[]): Promise<void> {
    const checked = checkTargets(targets);
    if (checked.length > 0) await this.run(this.#tools.revokeLines(checked));
  }

  /**
   * Writes one batch of lines to the long-lived tool, started on first use. In order with runOnce:
   * a batch given after a one-shot run starts after it.
   */
  protected run(lines: readonly string[], options?: RunOptions): Promise<void> {
    const run = this.#lastOnce.then(() => this.#runShell(lines, options));
    this.#lastShell = run.catch(() => {});
    return run;
  }

  /**
   * Runs the tool `command` picks once with `input` on its stdin, after every batch given to the shell before it and
   * before every one given after: for transactions of megabytes, which an interactive tool reads a
   * byte at a time (nft -i takes seconds for a fleet's 30,000 knock-gate tags, nft -f a tenth).
   */
  protected runOnce(
    command: (tools: T) => ToolCommand,
    args: readonly string[],
    input: string,
  ): Promise<void> {
    const run = Promise.all([this.#lastShell, this.#lastOnce]).then(async () => {
      const tools = await this.ready();
      try {
        await runToolOk(command(tools), args, { input, timeoutMs: this.timeoutMs });
      } catch (error) {
        throw this.#missing(error);
      }
    });
    this.#lastOnce = run.catch(() => {});
    return run;
  }

  async #runShell(lines: readonly string[], options?: RunOptions): Promise<void> {
    const tools = await this.ready();
    this.#shell ??= new LineShell({
      ...this.#tools.shell(tools),
      timeoutMs: this.timeoutMs,
      maxPending: this.#maxPending,
      batchesPerProcess: 10_000,
    });
    try {
      await this.#shell.run(lines, options);
    } catch (error) {
      throw this.#missing(error);
    }
  }

  /** Every object the lines name is the driver's: "missing" means it went away underneath. */
  #missing(error: unknown): unknown {
    if (error instanceof ServerError && error.message.includes(this.#tools.missingText)) {
      return new ServerError(SERVER_ERROR_CODES.firewallNotReady, this.#tools.missingMessage, {
        cause: error,
      });
    }
    return error;
  }

  async forgetConnections(targets: readonly GrantTarget[]): Promise<void> {
    if (this.#closed) throw closedError();
    await this.#forgetConnections(targets);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#shell?.close();
  }

  /** Process id of the long-lived tool, if running (tests kill or stop it to check recovery). */
  get helperPid(): number | undefined {
    return this.#shell?.pid;
  }
}

function closedError(): ServerError {
  return new ServerError(SERVER_ERROR_CODES.firewallNotReady, 'firewall driver is closed');
}
