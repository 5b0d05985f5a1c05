/** iptables-nft: whether the ip or ip6 `filter` table is dormant (every rule off, none of it visible to iptables), and clearing that. @module */
import { tableFlagged } from '../process/nft-text-flags.js';
import { runToolOk, type ToolCommand } from '../process/tool-command.js';

/*
 * iptables-nft keeps its rules in nftables' `ip filter` and `ip6 filter` tables. Made dormant
 * (`nft add table ip filter { flags dormant; }`), such a table keeps every rule and applies none, so
 * every protected port accepts anyone; `iptables -S` and `iptables-save` print the rules as before,
 * and `iptables-restore` leaves the flag alone. Only nft shows it, and `nft add table` (no flags)
 * clears it. iptables-legacy has no such flag.
 *
 * Read as text, one table at a time: nft 1.0.6 prints a table's flags in JSON from memory it does not
 * own, and its output may end there, before the next table (seen in a lab); the text listing names
 * the flags properly.
 */

export type Family = 4 | 6;

const FAMILY_NAME = { 4: 'ip', 6: 'ip6' } as const;

/** The families whose filter table is flagged now; a table nft cannot list (absent) is not. */
export async function readFlaggedFilters(nft: ToolCommand, timeoutMs: number): Promise<Set<Family>> {
  const families = [4, 6] as const;
  const flagged = await Promise.all(
    families.map((f) => tableFlagged(nft, FAMILY_NAME[f], 'filter', timeoutMs)),
  );
  return new Set(families.filter((_, i) => flagged[i]));
}

/** Clears the flags of these families' filter tables: `add table` without flags, in one transaction. */
export async function clearFilterFlags(
  nft: ToolCommand,
  families: ReadonlySet<Family>,
  timeoutMs: number,
): Promise<void> {
  if (families.size === 0) return;
  const input = [...families].map((f) => `add table ${FAMILY_NAME[f]} filter\n`).join('');
  await runToolOk(nft, ['-f', '-'], { input, timeoutMs });
}
