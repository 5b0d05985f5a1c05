/** The iptables driver's executables per variant, and its one-shot reads and commits (iptables -S, iptables-restore, ipset). @module */
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import { runTool, runToolOk, type ToolCommand, toolCommand } from '../process/tool-command.js';
import { parseIpsetNames } from './ipset-script.js';
import { type ChainState, parseChainState } from './iptables-rules.js';

export type IptablesTool = 'iptables' | 'ip6tables' | 'iptablesRestore' | 'ip6tablesRestore' | 'ipset';
export type IptablesTools = Readonly<Record<IptablesTool, ToolCommand>>;

/** The text ipset prints when a command names a set that is not there. */
export const IPSET_SET_MISSING = 'The set with the given name does not exist';
// iptables-nft may release a rule's reference to a set a moment after the rule is gone.
const DESTROY_ATTEMPTS = 20;
const DESTROY_RETRY_MS = 50;

/** Executable names for one variant (Debian installs both as iptables-nft / iptables-legacy etc.). */
export function variantPaths(variant: 'nft' | 'legacy'): Record<IptablesTool, string> {
  return {
    iptables: `iptables-${variant}`,
    ip6tables: `ip6tables-${variant}`,
    iptablesRestore: `iptables-${variant}-restore`,
    ip6tablesRestore: `ip6tables-${variant}-restore`,
    ipset: 'ipset',
  };
}

/** Resolves every tool at once, so a missing one is reported before anything changes. */
export async function resolveIptablesTools(
  paths: Readonly<Record<IptablesTool, string>>,
  netns: string | undefined,
): Promise<IptablesTools> {
  const keys = Object.keys(paths) as IptablesTool[];
  const commands = await Promise.all(
    keys.map((key) => toolCommand(paths[key], key === 'ipset' ? 'ipset' : 'iptables', netns)),
  );
  return Object.fromEntries(keys.map((key, i) => [key, commands[i]!])) as Record<IptablesTool, ToolCommand>;
}

/** `iptables -S` (filter table) of one family, parsed for the driver's chain. */
export async function readChainState(
  tools: IptablesTools,
  family: 4 | 6,
  chain: string,
  timeoutMs: number,
): Promise<ChainState> {
  const tool = family === 4 ? tools.iptables : tools.ip6tables;
  const { stdout } = await runToolOk(tool, ['-w', '-S'], { timeoutMs });
  return parseChainState(stdout, chain);
}

/** Applies `iptables-restore --noflush` input to one family: one atomic commit of the filter table. */
export async function restoreFamily(
  tools: IptablesTools,
  family: 4 | 6,
  input: string,
  timeoutMs: number,
): Promise<void> {
  const tool = family === 4 ? tools.iptablesRestore : tools.ip6tablesRestore;
  await runToolOk(tool, ['--noflush', '-w'], { input, timeoutMs });
}

/** Names of the ipsets in the namespace. */
export async function readIpsetNames(tools: IptablesTools, timeoutMs: number): Promise<Set<string>> {
  return parseIpsetNames((await runToolOk(tools.ipset, ['list', '-n'], { timeoutMs })).stdout);
}

/** Destroys a set; a missing set is fine, a set still referenced is retried briefly. */
export async function destroyIpset(tools: IptablesTools, name: string, timeoutMs: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const result = await runTool(tools.ipset, ['destroy', name], { timeoutMs });
    if (result.exitCode === 0 || result.stderr.includes(IPSET_SET_MISSING)) return;
    if (attempt >= DESTROY_ATTEMPTS || !result.stderr.includes('in use')) {
      throw new ServerError(
        SERVER_ERROR_CODES.firewallCommandFailed,
        `ipset destroy ${name}: ${result.stderr.trim()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, DESTROY_RETRY_MS));
  }
}
