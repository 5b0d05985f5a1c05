/** iptables driver: ipset sets with kernel timeouts, matched from the server's own chain in iptables and ip6tables. @module */

import { portText } from '../../config/port-spec.js';
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import type { ActiveGrant, InspectGrants, PortSpec, ProtectionState, WatchCommand } from '../driver.js';
import { checkObjectName, checkPorts } from '../grant-values.js';
import { KernelDriver } from '../kernel-driver.js';
import { iptablesKnockLimitRules } from '../knock-limit.js';
import { IPSET_DIALECT } from '../process/ack-reader.js';
import { iptablesWatchCommand } from '../process/monitor-lines.js';
import { runTool, runToolOk, type ToolCommand, toolCommand } from '../process/tool-command.js';
import { clearFilterFlags, type Family, readFlaggedFilters } from './filter-flags.js';
import {
  ipsetCreateScript,
  ipsetGrantLines,
  ipsetName,
  ipsetRevokeLines,
  parseIpsetSave,
  refuseRanges,
} from './ipset-script.js';
import {
  type ChainState,
  chainName,
  chainProtection,
  chainRules,
  chainsIntact,
  removeRestore,
  setupRestore,
} from './iptables-rules.js';
import {
  destroyIpset,
  IPSET_SET_MISSING,
  type IptablesTool,
  type IptablesTools,
  readChainState,
  readIpsetNames,
  resolveIptablesTools,
  restoreFamily,
  variantPaths,
} from './iptables-tools.js';
import { JumpContention } from './jump-contention.js';

export type { IptablesTool } from './iptables-tools.js';

import type { IptablesDriverOptions } from './iptables-options.js';

export type { IptablesDriverOptions } from './iptables-options.js';

const FAMILIES = [4, 6] as const;

/**
 * Grants are ipset elements, written through one long-lived `ipset -` process; the chain and the jump
 * to it change only in setup() and flush(), each family in one `iptables-restore --noflush` commit.
 */
export class IptablesDriver extends KernelDriver<IptablesTools> {
  readonly name = 'iptables';
  readonly prefix: string;
  readonly chain: string;
  readonly #variant: 'nft' | 'legacy';
  /**
   * The chain's rules per family as read back after this instance's setup(), to notice rules deleted,
   * added or replaced underneath. A rule changed within the moment between the commit and the read
   * is taken as the setup's own until the next setup (whoever can run iptables can stop the daemon).
   */
  readonly #expectedRules = new Map<4 | 6, readonly string[]>();
  readonly #contention: JumpContention;
  /** iptables-nft: the nft tool, to see the filter tables' flags; undefined without one (or legacy). */
  #nft: Promise<ToolCommand | undefined> | undefined;

  constructor(options: IptablesDriverOptions = {}) {
    const variant = options.variant ?? 'nft';
    if (variant !== 'nft' && variant !== 'legacy') {
      throw new ServerError(
        SERVER_ERROR_CODES.firewallInvalidInput,
        `iptables variant must be nft or legacy: ${variant}`,
      );
    }
    const prefix = checkObjectName(options.prefix ?? 'spa', 'iptables prefix');
    const paths: Record<IptablesTool, string> = { ...variantPaths(variant), ...options.paths };
    super(options, {
      find: (netns) => resolveIptablesTools(paths, netns),
      shell: (tools) => ({ command: tools.ipset, args: ['-'], dialect: IPSET_DIALECT }),
      grantLines: (grants) => ipsetGrantLines(prefix, grants),
      revokeLines: (targets) => ipsetRevokeLines(prefix, targets),
      missingText: IPSET_SET_MISSING,
      missingMessage: `ipset ${ipsetName(prefix, 4)}/${ipsetName(prefix, 6)} missing: run setup() again`,
    });
    this.prefix = prefix;
    this.chain = chainName(prefix);
    this.#variant = variant;
    this.#contention = new JumpContention(options.contentionClock);
  }

  async setup(ports: readonly PortSpec[]): Promise<void> {
    const forwarded = ports.find((p) => (p.forward ?? []).length > 0);
    if (forwarded) {
      // The config check refuses this first; a caller that skipped it must not get a silent half.
      throw new ServerError(
        SERVER_ERROR_CODES.firewallInvalidInput,
        `forwarding to an internal host needs the nftables backend: ${portText(forwarded)}`,
      );
    }
    const checked = refuseRanges(checkPorts(ports));
    const tools = await this.ready();
    // Sets first (the rules refer to them; -exist keeps an identical set with its elements), read
    // meanwhile; then both families at once: a rebuild after a deletion is that much shorter.
    const [, flagged, ...states] = await Promise.all([
      runToolOk(tools.ipset, ['-exist', 'restore'], {
        input: ipsetCreateScript(this.prefix),
        timeoutMs: this.timeoutMs,
      }),
      // A listing that fails does not stop the setup: the rules are restored all the same.
      this.#flaggedFilters().catch(() => new Set<Family>()),
      ...FAMILIES.map((family) => readChainState(tools, family, this.chain, this.timeoutMs)),
    ]);
    // A dormant filter table applies none of the rules restored below: back in force first.
    const nft = await this.#nftTool();
    if (nft !== undefined) await clearFilterFlags(nft, flagged, this.timeoutMs);
    await Promise.all(
      FAMILIES.map(async (family, i) => {
        const set = ipsetName(this.prefix, family);
        const knock = this.knockLimit
          ? iptablesKnockLimitRules(this.chain, this.prefix, family, this.knockLimit)
          : [];
        await restoreFamily(
          tools,
          family,
          setupRestore(this.chain, set, checked, states[i]!, knock),
          this.timeoutMs,
        );
        // As iptables prints them, not as written: its -S text is what every check compares.
        const written = chainRules(this.chain, set, checked, knock).length;
        const { rules } = await readChainState(tools, family, this.chain, this.timeoutMs);
        if (rules.length === written) this.#expectedRules.set(family, rules);
        else this.#expectedRules.delete(family);
      }),
    );
    // Moved from below other rules: those may come back above it for a while (jump-contention.ts).
    const moved = new Map<4 | 6, readonly string[]>();
    FAMILIES.forEach((family, i) => {
      const state = states[i]!;
      if (state.jumps > 0 && !state.jumpFirst) moved.set(family, state.above);
    });
    if (moved.size > 0) this.#contention.moved(moved);
  }

  async list(): Promise<ActiveGrant[]> {
    const tools = await this.ready();
    const saves = await Promise.all(
      FAMILIES.map((family) =>
        runTool(tools.ipset, ['save', ipsetName(this.prefix, family)], { timeoutMs: this.timeoutMs }),
      ),
    );
    // A missing set (non-zero exit) holds no grants.
    return saves.flatMap((save) => (save.exitCode === 0 ? parseIpsetSave(save.stdout, this.prefix) : []));
  }

  async isIntact(): Promise<boolean> {
    const tools = await this.ready();
    const [sets, flagged, ...chains] = await Promise.all([
      readIpsetNames(tools, this.timeoutMs),
      this.#flaggedFilters(),
      ...FAMILIES.map((family) => readChainState(tools, family, this.chain, this.timeoutMs)),
    ]);
    const present = FAMILIES.map((family) => sets.has(ipsetName(this.prefix, family)));
    const expected = FAMILIES.map((family) => this.#expectedRules.get(family));
    const inEffect = inForce(chains, flagged);
    if (chainsIntact(inEffect, present, expected)) return true;
    // Whole but for the jump's place, taken again by the rules a move found there moments ago:
    // another tool keeps that place (jump-contention.ts), let it be for now. Any other rule is damage.
    const placeAside = inEffect.map((state, i) =>
      state.jumps > 0 && !state.jumpFirst && this.#contention.tolerated(FAMILIES[i]!, state.above)
        ? { ...state, jumpFirst: true }
        : state,
    );
    return chainsIntact(placeAside, present, expected);
  }

  async revokeAll(): Promise<void> {
    await this.#batch(FAMILIES.map((family) => `flush ${ipsetName(this.prefix, family)}`));
  }

  async inspect(grants: InspectGrants = 'all'): Promise<ProtectionState> {
    const tools = await this.ready();
    const [sets, listed, flagged, ...chains] = await Promise.all([
      readIpsetNames(tools, this.timeoutMs),
      // ipset holds no one-shot grants (refused at grant time).
      grants === 'all' ? this.list() : [],
      this.#flaggedFilters(),
      ...FAMILIES.map((family) => readChainState(tools, family, this.chain, this.timeoutMs)),
    ]);
    const present = FAMILIES.map((family) => sets.has(ipsetName(this.prefix, family)));
    return { ...chainProtection(inForce(chains, flagged), present), grants: listed };
  }

  /** `nft monitor` for iptables-nft; none for iptables-legacy (see iptablesWatchCommand). */
  watchCommand(): Promise<WatchCommand | undefined> {
    return iptablesWatchCommand(this.#variant, this.chain, this.netns);
  }

  async flush(): Promise<void> {
    const tools = await this.ready();
    for (const family of FAMILIES) {
      const input = removeRestore(
        this.chain,
        await readChainState(tools, family, this.chain, this.timeoutMs),
      );
      if (input !== undefined) await restoreFamily(tools, family, input, this.timeoutMs);
    }
    this.#expectedRules.clear();
    const sets = await readIpsetNames(tools, this.timeoutMs);
    for (const family of FAMILIES) {
      const name = ipsetName(this.prefix, family);
      if (sets.has(name)) await destroyIpset(tools, name, this.timeoutMs);
    }
  }

  #batch(lines: readonly string[]): Promise<void> {
    return this.run(lines);
  }

  /** iptables-nft's filter tables carrying flags (dormant); none seen without the nft tool. */
  async #flaggedFilters(): Promise<Set<Family>> {
    const nft = await this.#nftTool();
    return nft === undefined ? new Set() : readFlaggedFilters(nft, this.timeoutMs);
  }

  #nftTool(): Promise<ToolCommand | undefined> {
    this.#nft ??=
      this.#variant === 'nft'
        ? toolCommand('nft', 'nftables', this.netns).catch(() => undefined)
        : Promise.resolve(undefined);
    return this.#nft;
  }
}

/** A family whose filter table is dormant has, in effect, neither the chain nor the jump to it. */
function inForce(chains: readonly ChainState[], flagged: ReadonlySet<Family>): ChainState[] {
  return chains.map((state, i) =>
    flagged.has(FAMILIES[i]!) ? { exists: false, jumps: 0, jumpFirst: false, rules: [], above: [] } : state,
  );
}
