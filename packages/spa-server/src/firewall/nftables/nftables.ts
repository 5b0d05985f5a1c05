/** nftables driver: one `inet` table whose timed sets let granted addresses reach protected ports. @module */

import { connectionForgetter } from '../conntrack.js';
import {
  type ActiveGrant,
  FIREWALL_ERROR_CODES,
  type FirewallDriver,
  FirewallError,
  type Grant,
  type GrantTarget,
  type PortSpec,
  type ProtectionState,
  type WatchCommand,
} from '../driver.js';
import { checkGrants, checkNetnsName, checkObjectName, checkPorts, checkTargets } from '../grant-values.js';
import { checkKnockLimit, type KnockLimit } from '../knock-limit.js';
import { NFT_DIALECT } from '../process/ack-reader.js';
import { LineShell } from '../process/line-shell.js';
import { NFT_MONITOR_ARGS, nftDeletionConcerns } from '../process/monitor-lines.js';
import { runTool, type ToolCommand, toolCommand } from '../process/tool-command.js';
import { isNftTableIntact, type NftTableState, parseNftTable } from './nft-json.js';
import {
  NFT_SET_PORTS,
  nftGrantCommands,
  nftRebuildCommands,
  nftRemoveCommands,
  nftRevokeAllCommands,
  nftRevokeCommands,
  nftSetupCommands,
  nftTransaction,
} from './nft-script.js';

export interface NftablesDriverOptions {
  /** Table name in family inet; the driver touches no other table. Default 'spa'. */
  readonly table?: string;
  /** nft executable: absolute path or a name searched in PATH and sbin. Default 'nft'. */
  readonly nftPath?: string;
  /** Run every command inside this network namespace (`ip netns exec`); for tests. */
  readonly netns?: string;
  /** A command not answered within this time fails and the nft process is replaced. Default 10 s. */
  readonly timeoutMs?: number;
  /** Grant/revoke batches waiting for nft beyond this are refused. Default 10,000. */
  readonly maxPending?: number;
  /** Per-source limit on the daemon's UDP ports, installed with the table (see knock-limit.ts). */
  readonly knockLimit?: KnockLimit;
}

const ENOENT_TEXT = 'No such file or directory';

/**
 * Drives nft through one long-lived `nft -i` process (a grant costs a write to its stdin instead of
 * a process start); listings use a one-shot `nft -j`. Each method call is one nft transaction.
 */
export class NftablesDriver implements FirewallDriver {
  readonly name = 'nftables';
  readonly table: string;
  readonly #nftPath: string;
  readonly #netns: string | undefined;
  readonly #timeoutMs: number;
  readonly #maxPending: number;
  readonly #knockLimit: KnockLimit | undefined;
  #tool: Promise<ToolCommand> | undefined;
  #shell: LineShell | undefined;
  readonly #forgetConnections: (targets: readonly GrantTarget[]) => Promise<void>;
  #closed = false;
  /** The ports of this instance's last setup(), to notice a `protected` set emptied underneath. */
  #ports: readonly PortSpec[] | undefined;

  constructor(options: NftablesDriverOptions = {}) {
    this.table = checkObjectName(options.table ?? 'spa', 'nftables table name');
    this.#nftPath = options.nftPath ?? 'nft';
    this.#netns = options.netns === undefined ? undefined : checkNetnsName(options.netns);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#forgetConnections = connectionForgetter(this.#netns, this.#timeoutMs);
    this.#maxPending = options.maxPending ?? 10_000;
    this.#knockLimit = options.knockLimit && checkKnockLimit(options.knockLimit);
  }

  async setup(ports: readonly PortSpec[]): Promise<void> {
    const checked = checkPorts(ports);
    try {
      await this.#transaction(nftSetupCommands(this.table, checked, this.#knockLimit));
    } catch (error) {
      // Objects of another shape under our names (another version, or edited by hand) make `add`
      // fail; rebuild the table in one transaction, carrying over grants that still have time left.
      if (!(error instanceof FirewallError) || error.code !== FIREWALL_ERROR_CODES.commandFailed) throw error;
      const state = await this.#read();
      if (!state) throw error;
      await this.#transaction(nftRebuildCommands(this.table, checked, state.grants, this.#knockLimit));
    }
    this.#ports = checked;
  }

  async grant(grants: readonly Grant[]): Promise<void> {
    const checked = checkGrants(grants);
    if (checked.length > 0) await this.#transaction(nftGrantCommands(this.table, checked));
  }

  async revoke(targets: readonly GrantTarget[]): Promise<void> {
    const checked = checkTargets(targets);
    if (checked.length > 0) await this.#transaction(nftRevokeCommands(this.table, checked));
  }

  async forgetConnections(targets: readonly GrantTarget[]): Promise<void> {
    if (this.#closed) throw new FirewallError(FIREWALL_ERROR_CODES.notReady, 'firewall driver is closed');
    await this.#forgetConnections(targets);
  }

  async list(): Promise<ActiveGrant[]> {
    return [...((await this.#read())?.grants ?? [])];
  }

  async isIntact(): Promise<boolean> {
    const state = await this.#readShape();
    return state !== undefined && isNftTableIntact(state, this.#knockLimit !== undefined, this.#ports);
  }

  async revokeAll(): Promise<void> {
    await this.#transaction(nftRevokeAllCommands(this.table));
  }

  async inspect(): Promise<ProtectionState> {
    const state = await this.#read();
    if (!state) return { protection: 'missing', ports: [], grants: [] };
    const whole = isNftTableIntact(state, this.#knockLimit !== undefined);
    return { protection: whole ? 'installed' : 'incomplete', ports: state.ports, grants: state.grants };
  }

  async watchCommand(): Promise<WatchCommand> {
    const table = this.table;
    return {
      command: await this.#command(),
      args: NFT_MONITOR_ARGS,
      concerns: (line) => nftDeletionConcerns(line, table),
    };
  }

  async flush(): Promise<void> {
    await this.#transaction(nftRemoveCommands(this.table));
    this.#ports = undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#shell?.close();
  }

  /** Process id of the long-lived nft, if running (tests kill or stop it to check recovery). */
  get helperPid(): number | undefined {
    return this.#shell?.pid;
  }

  async #transaction(commands: readonly string[]): Promise<void> {
    const shell = await this.#ready();
    try {
      await shell.run([nftTransaction(commands)]);
    } catch (error) {
      // Every object our commands name is ours: "not found" means the table went away underneath.
      if (error instanceof FirewallError && error.message.includes(ENOENT_TEXT)) {
        throw new FirewallError(
          FIREWALL_ERROR_CODES.notReady,
          `nftables table inet ${this.table} is missing or incomplete: run setup() again`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** The listing, or undefined when the table does not exist. */
  async #read(): Promise<NftTableState | undefined> {
    const text = await this.#list(['list', 'table', 'inet', this.table]);
    return text === undefined ? undefined : parseListing(text);
  }

  /**
   * The table without the grant sets' elements (`-t`), and the `protected` set with its ports: what
   * isIntact() needs, without parsing a listing of every grant (20 MB at 2 × 65,536) per check.
   */
  async #readShape(): Promise<NftTableState | undefined> {
    const [table, ports] = await Promise.all([
      this.#list(['-t', 'list', 'table', 'inet', this.table]),
      this.#list(['list', 'set', 'inet', this.table, NFT_SET_PORTS]),
    ]);
    if (table === undefined) return undefined;
    const state = parseListing(table);
    return { ...state, ports: ports === undefined ? [] : parseListing(ports).ports };
  }

  /** `nft -j ARGS`, or undefined when what it names does not exist. */
  async #list(args: readonly string[]): Promise<string | undefined> {
    if (this.#closed) throw closedError();
    const tool = await this.#command();
    const result = await runTool(tool, ['-j', ...args], { timeoutMs: this.#timeoutMs });
    if (result.exitCode !== 0) {
      if (result.stderr.includes(ENOENT_TEXT)) return undefined;
      throw new FirewallError(
        FIREWALL_ERROR_CODES.commandFailed,
        `nft ${args.join(' ')} failed: ${result.stderr.trim()}`,
      );
    }
    return result.stdout;
  }

  async #ready(): Promise<LineShell> {
    if (this.#closed) throw closedError();
    const command = await this.#command();
    this.#shell ??= new LineShell({
      command,
      args: ['-i'],
      dialect: NFT_DIALECT,
      timeoutMs: this.#timeoutMs,
      maxPending: this.#maxPending,
      batchesPerProcess: 10_000,
    });
    return this.#shell;
  }

  #command(): Promise<ToolCommand> {
    this.#tool ??= toolCommand(this.#nftPath, 'nftables', this.#netns).catch((error: unknown) => {
      // Look again next time: the package may get installed while the daemon waits.
      this.#tool = undefined;
      throw error;
    });
    return this.#tool;
  }
}

function parseListing(text: string): NftTableState {
  try {
    return parseNftTable(text);
  } catch (error) {
    throw new FirewallError(FIREWALL_ERROR_CODES.commandFailed, 'nft printed a listing that is not JSON', {
      cause: error,
    });
  }
}

function closedError(): FirewallError {
  return new FirewallError(FIREWALL_ERROR_CODES.notReady, 'firewall driver is closed');
}
