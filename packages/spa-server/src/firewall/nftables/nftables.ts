/** nftables driver: one `inet` table whose timed sets let granted addresses reach protected ports. @module */

import { type PacedRead, pacedRead } from '../../shared/paced-read.js';
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import type {
  ActiveGrant,
  InspectGrants,
  InspectShape,
  IntactScope,
  KnockGateControl,
  PortSpec,
  ProtectionState,
  SpentNonce,
  WatchCommand,
} from '../driver.js';
import { checkForwards, checkObjectName, checkPorts, type ForwardRule } from '../grant-values.js';
import { KernelDriver, type KernelDriverOptions } from '../kernel-driver.js';
import { type KnockGate, nftSpentCommand } from '../knock-gate.js';
import { NFT_DIALECT } from '../process/ack-reader.js';
import {
  NFT_MONITOR_ARGS,
  nftAdditionTouches,
  nftDeletionConcerns,
  nftLostEvents,
  nftStaleMonitor,
} from '../process/monitor-lines.js';
import { tableFlagged } from '../process/nft-text-flags.js';
import { type ToolCommand, toolCommand } from '../process/tool-command.js';
import { NftGateTags } from './nft-gate-tags.js';
import { NftIncludeFiles } from './nft-include.js';
import { readNftCounters, readNftTable, readNftVouched } from './nft-inspect.js';
import { NftIntegrityRead, readNftShapeLightFirst } from './nft-integrity-read.js';
import { flaggedTableListing, isNftTableIntact } from './nft-json.js';
import { NFT_ENOENT_TEXT } from './nft-lister.js';
import { NftListing } from './nft-listing.js';
import { NftRuleWatch } from './nft-rule-watch.js';
import {
  NFT_SET_V4_ONCE,
  NFT_SET_V6_ONCE,
  nftGrantCommands,
  nftRebuildCommands,
  nftRemoveCommands,
  nftRevokeAllCommands,
  nftRevokeCommands,
  nftSetupCommands,
  nftTransaction,
} from './nft-script.js';

export interface NftablesDriverOptions extends KernelDriverOptions {
  /** Table name in family inet; the driver touches no other table. Default 'spa'. */
  readonly table?: string;
  /** nft executable: absolute path or a name searched in PATH and sbin. Default 'nft'. */
  readonly nftPath?: string;
  /**
   * The knock gate on the daemon's UDP ports (knock-gate.ts). Every datagram without a tag given to
   * knockGate.setTags() is dropped, so only a daemon that keeps the tags up to date installs it.
   */
  readonly knockGate?: KnockGate;
  /** Where merged grant batches are written for nft to include: the daemon's stateDir (0700). */
  readonly includeDir?: string;
  /**
   * Listings go to long-lived `nft -j -i` processes (nft-lister.ts) instead of a process each: for
   * the daemon, whose periodic checks list every few seconds and whose event loop stalls for every
   * process start (the fork of a large process: ~10 ms idle, ~30 ms on a loaded host).
   */
  readonly residentListings?: boolean;
}

/**
 * A transaction this long goes to a one-shot `nft -f -`: nft -i reads stdin a byte at a time (3.4 s
 * for a fleet's 30,000 gate tags, 0.25 s through -f), a process start costs a few milliseconds.
 */
const ONE_SHOT_BYTES = 32 << 10;
/** How long a read of the gate's counters waits for nft: ~30 ms at few grants, 0.3 s on a busy host. */
const DROPS_WAIT_MS = 1000;
/** The one-shot grant sets: the kernel deletes a spent element, so only its listing knows which are left. */
const ONCE_SETS = [NFT_SET_V4_ONCE, NFT_SET_V6_ONCE] as const;

/**
 * Drives nft through one long-lived `nft -i` process (a grant costs a write to its stdin instead of
 * a process start); listings use a one-shot `nft -j`, or resident `nft -j -i` processes for the
 * daemon (residentListings). Each method call is one nft transaction.
 */
export class NftablesDriver extends KernelDriver<ToolCommand> {
  readonly name = 'nftables';
  readonly table: string;
  readonly knockGate: KnockGateControl | undefined;
  /** The ports of this instance's last setup(), to notice a `protected` set emptied underneath. */
  #ports: readonly PortSpec[] | undefined;
  /** The forwards of the last setup(): whether the nat chain belongs to the table's shape. */
  #forwards: readonly ForwardRule[] = [];
  readonly #gate: KnockGate | undefined;
  readonly #includes: NftIncludeFiles;
  readonly #gateTags: NftGateTags;
  readonly #integrity: NftIntegrityRead;
  readonly #rules: NftRuleWatch;
  readonly #listings: NftListing;
  readonly #counters: PacedRead<Record<string, number>>;

  constructor(options: NftablesDriverOptions = {}) {
    const table = checkObjectName(options.table ?? 'spa', 'nftables table name');
    const nftPath = options.nftPath ?? 'nft';
    const includes = new NftIncludeFiles(options.includeDir);
    super(options, {
      find: (netns) => toolCommand(nftPath, 'nftables', netns),
      // Grants queued while nft is busy go in one transaction: see "Feeding nft" in the README.
      shell: (nft) => ({ command: nft, args: ['-i'], dialect: NFT_DIALECT, join: includes.join }),
      // Each method call is one transaction.
      grantLines: (grants) => [nftTransaction(nftGrantCommands(table, grants))],
      revokeLines: (targets) => [nftTransaction(nftRevokeCommands(table, targets))],
      missingText: NFT_ENOENT_TEXT,
      missingMessage: `nftables table inet ${table} is missing or incomplete: run setup() again`,
    });
    this.table = table;
    this.#listings = new NftListing(options.residentListings === true, this.timeoutMs);
    this.#includes = includes;
    this.#gate = options.knockGate;
    // Seconds of nft at 100,000 grants (nft-inspect.ts): paced by that cost, and never waited for long.
    this.#counters = pacedRead(() => readNftCounters(this.#listing, table));
    this.#integrity = new NftIntegrityRead(this.#listing, table);
    this.#rules = new NftRuleWatch(() => this.#integrity.read('light'));
    this.#gateTags = new NftGateTags(table, (commands) => this.#transaction(commands), this.#listing);
    this.knockGate = this.#gate && {
      setTags: (tags) => this.#gateTags.set(tags, this.#ports !== undefined),
      spend: (nonces) => this.#spend(nonces),
      drops: () => this.#counters.within(DROPS_WAIT_MS),
    };
  }

  get #filters() {
    return { limit: this.knockLimit, gate: this.#gate, tags: [...this.#gateTags.tags] };
  }

  get #shape() {
    const forward = this.#forwards.length > 0;
    return { limit: this.knockLimit !== undefined, gate: this.#gate !== undefined, forward };
  }

  async #spend(nonces: readonly SpentNonce[]): Promise<void> {
    if (nonces.length > 0) await this.#transaction([nftSpentCommand(this.table, nonces)]);
  }

  async setup(ports: readonly PortSpec[]): Promise<void> {
    const checked = checkPorts(ports);
    const forwards = checkForwards(ports);
    const plan = this.#gateTags.beforeSetup();
    const { keepTags } = plan;
    try {
      await this.#transaction(
        nftSetupCommands(this.table, checked, { ...this.#filters, keepTags }, forwards),
      );
    } catch (error) {
      // Objects of another shape under our names (another version, or edited by hand) make `add`
      // fail; rebuild the table in one transaction, carrying over grants that still have time left.
      if (!(error instanceof ServerError) || error.code !== SERVER_ERROR_CODES.firewallCommandFailed)
        throw error;
      const state = await readNftTable(this.#listing, this.table);
      if (!state) throw error;
      await this.#transaction(nftRebuildCommands(this.table, checked, state.grants, this.#filters, forwards));
    }
    this.#ports = checked;
    this.#forwards = forwards;
    this.#rules.remember();
    // Tags given while the first setup was on its way were only kept: install them now.
    if (this.#gateTags.afterSetup(plan)) await this.#gateTags.set(this.#gateTags.tags, true);
  }

  async list(): Promise<ActiveGrant[]> {
    return [...((await readNftTable(this.#listing, this.table))?.grants ?? [])];
  }

  async isIntact(scope: IntactScope = 'full'): Promise<boolean> {
    const state = await this.#integrity.read(scope);
    const intact =
      state !== undefined &&
      isNftTableIntact(state, this.#shape, this.#ports) &&
      !(await this.#rules.changed(state));
    // What the kernel holds of the gate's tags is unknown now: the repair's setup must add them all.
    if (!intact) this.#gateTags.forget();
    return intact;
  }

  async revokeAll(): Promise<void> {
    await this.#transaction(nftRevokeAllCommands(this.table));
  }

  async inspect(grants: InspectGrants = 'all', shape: InspectShape = 'read'): Promise<ProtectionState> {
    if (shape === 'vouched') return readNftVouched(this.#listing, this.table, grants === 'all');
    const state =
      grants === 'all'
        ? await readNftTable(this.#listing, this.table)
        : await readNftShapeLightFirst(this.#listing, this.table, ONCE_SETS);
    if (!state) return { protection: 'missing', ports: [], grants: [] };
    const whole = isNftTableIntact(state, this.#shape);
    return { protection: whole ? 'installed' : 'incomplete', ports: state.ports, grants: state.grants };
  }

  async watchCommand(): Promise<WatchCommand> {
    const table = this.table;
    return {
      command: await this.find(),
      args: NFT_MONITOR_ARGS,
      concerns: (line) => nftDeletionConcerns(line, table),
      touches: (line) => nftAdditionTouches(line, table),
      stales: (line) => nftStaleMonitor(line, table),
      lost: nftLostEvents,
    };
  }

  async flush(): Promise<void> {
    await this.#transaction(nftRemoveCommands(this.table));
    this.#ports = undefined;
    this.#gateTags.forget();
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#listings.close();
    this.#includes.close();
  }

  readonly #listing = (args: readonly string[]): Promise<string | undefined> => this.#list(args);

  #transaction(commands: readonly string[]): Promise<void> {
    const text = nftTransaction(commands);
    if (text.length < ONE_SHOT_BYTES) return this.run([text]);
    return this.runOnce((nft) => nft, ['-f', '-'], `${text}\n`);
  }

  /** `nft -j ARGS`, or undefined when what it names does not exist. */
  async #list(args: readonly string[]): Promise<string | undefined> {
    const nft = await this.ready();
    try {
      return await this.#listings.list(nft, args);
    } catch (error) {
      // nft 1.0.6 prints a flagged table's flags in JSON from memory it does not own, and may abort
      // doing so (SIGABRT, seen with the resident lister): a listing that fails while the table is
      // flagged, as its text listing says, is that table flagged, which every reader takes as damage.
      if (await tableFlagged(nft, 'inet', this.table, this.timeoutMs).catch(() => false)) {
        return flaggedTableListing(this.table);
      }
      throw error;
    }
  }
}
