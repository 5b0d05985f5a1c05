/** Reading `nft monitor` lines: which deletions (checked at once) and other changes concern the server's table (nftables) or chain (iptables-nft). @module */
import type { WatchCommand } from '../driver.js';
import { NFT_SET_PORTS, NFT_SET_PORTS_RANGE } from '../nftables/nft-script.js';
import { toolCommand } from './tool-command.js';

/**
 * The monitor's arguments: every change, as text lines `VERB KIND FAMILY TABLE [NAME ...]` (VERB add,
 * insert or delete). Deletions make the daemon check its table at once; additions (a rule inserted in
 * its chain, a chain's policy changed) alter what the table lets through too, and withdraw the
 * daemon's word for its shape in `status` until the next periodic check (grants/shape-witness.ts).
 *
 * `--echo`: a plain `nft monitor` (1.0.6) copies every element added to a named set into its cache
 * and never drops one, deleted or expired: ~2 KB per grant for the monitor's whole life, 200 MiB
 * after 100,000 grants (measured in the bench's bulk phase). In echo mode it caches no element of a
 * named set; what it loads at its start (the elements then present) stays. Nor does it cache a table
 * or set created after its start, so it prints no rule or element line of one (objects deleted and
 * created again under the same name still print): the stream is restarted whenever the table or one
 * of its sets is added (`nftStaleMonitor`, `iptablesStaleMonitor`), which also catches nft 1.0.6's
 * silence on the elements of a set re-added under a running monitor.
 */
export const NFT_MONITOR_ARGS: readonly string[] = ['--echo', 'monitor'];

/**
 * nftables driver: the table, one of its chains, sets or rules deleted, or ports removed from its
 * `protected` sets. Elements leaving the grant sets are revokes (the daemon's own), not damage. Also
 * the table given flags (`add table inet spa { flags dormant; }`): a dormant table keeps every object
 * and applies none of its rules, so every protected port accepts anyone; the daemon never sets one.
 */
export function nftDeletionConcerns(line: string, table: string): boolean {
  return streamError(line) || nftChange(line, table) === 'delete' || nftTableFlagged(line, table);
}

function nftTableFlagged(line: string, table: string): boolean {
  return line.startsWith(`add table inet ${table} {`) && line.includes('flags');
}

/**
 * `# ERROR: …`: the monitor failed to read its socket, so any change may have gone unseen: check at
 * once. The common one is nftLostEvents'.
 */
function streamError(line: string): boolean {
  return line.startsWith('# ERROR');
}

/**
 * `# ERROR: We lost some netlink events!`: the monitor's socket overflowed (a burst of grants or gate
 * tags while the daemon was busy), counted (spa_firewall_events_lost_total).
 */
export function nftLostEvents(line: string): boolean {
  return line.startsWith('# ERROR: We lost some netlink events');
}

/** nftables driver: the same objects added (`add`, `insert`); grant and gate elements excepted. */
export function nftAdditionTouches(line: string, table: string): boolean {
  const verb = nftChange(line, table);
  return verb === 'add' || verb === 'insert';
}

/**
 * nftables driver: the table or one of its sets or maps (re-)added, as every setup (start, reload,
 * repair) does. A running `nft monitor` then goes on without printing deletions of that set's
 * elements (nft 1.0.6, seen in the kernel test after a repair; a monitor started afterwards prints
 * them): the stream is restarted.
 */
export function nftStaleMonitor(line: string, table: string): boolean {
  const [verb, kind, family, name] = line.split(' ', 4);
  return (
    verb === 'add' &&
    family === 'inet' &&
    name === table &&
    (kind === 'set' || kind === 'map' || kind === 'table')
  );
}

/** The verb of a line that changes one of the table's own objects, or undefined. */
function nftChange(line: string, table: string): string | undefined {
  const [verb, kind, family, name, object] = line.split(' ', 5);
  if (family !== 'inet' || name !== table) return undefined;
  if (verb !== 'add' && verb !== 'insert' && verb !== 'delete') return undefined;
  if (kind === 'element')
    return object === NFT_SET_PORTS || object === NFT_SET_PORTS_RANGE ? verb : undefined;
  return kind === 'table' || kind === 'chain' || kind === 'set' || kind === 'rule' ? verb : undefined;
}

/**
 * iptables-nft (nftables underneath, so `nft monitor` sees it): the filter table deleted, or a rule
 * or chain of INPUT (where the jump is) or of the driver's own chain, in ip or ip6; a rule added to
 * either (one above the jump decides before the driver's chain does; the driver's own jump, added
 * by its setup, costs one check that finds it whole). Also the filter table given flags (`add table
 * ip filter { flags dormant; }`): every rule kept and none applied, which iptables' own listing
 * does not show (iptables/filter-flags.ts).
 */
export function iptablesDeletionConcerns(line: string, chain: string): boolean {
  if (streamError(line)) return true;
  if (
    (line.startsWith('add table ip filter {') || line.startsWith('add table ip6 filter {')) &&
    line.includes('flags')
  )
    return true;
  const [verb, kind, family, table, object] = line.split(' ', 5);
  if ((family !== 'ip' && family !== 'ip6') || table !== 'filter') return false;
  if (object !== 'INPUT' && object !== chain && kind !== 'table') return false;
  if (verb === 'delete') return kind === 'table' || kind === 'chain' || kind === 'rule';
  return (verb === 'add' || verb === 'insert') && kind === 'rule';
}

/**
 * iptables-nft: the ip or ip6 `filter` table (re-)added, as iptables does after a flush of the
 * ruleset. A monitor in echo mode started while it was absent prints no rule line of it.
 */
export function iptablesStaleMonitor(line: string): boolean {
  const [verb, kind, family, table] = line.split(' ', 4);
  return verb === 'add' && kind === 'table' && (family === 'ip' || family === 'ip6') && table === 'filter';
}

/**
 * The event stream for the iptables driver. iptables-nft is nftables underneath, so `nft monitor`
 * sees its rules go; iptables-legacy has no events, nor a machine without the nft tool (only
 * recommended by iptables): undefined, and the daemon polls instead.
 */
export async function iptablesWatchCommand(
  variant: 'nft' | 'legacy',
  chain: string,
  netns: string | undefined,
): Promise<WatchCommand | undefined> {
  if (variant !== 'nft') return undefined;
  try {
    const command = await toolCommand('nft', 'nftables', netns);
    return {
      command,
      args: NFT_MONITOR_ARGS,
      concerns: (line) => iptablesDeletionConcerns(line, chain),
      stales: iptablesStaleMonitor,
      lost: nftLostEvents,
    };
  } catch {
    return undefined;
  }
}
