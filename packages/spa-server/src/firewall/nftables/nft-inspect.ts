/** Reading the nftables table back: the whole listing, or its shape with only the small sets' elements, the knock gate's tags and counters. @module */
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import type { ProtectionState } from '../driver.js';
import { NFT_GATE_TAGS } from '../knock-gate.js';
import { GRANT_SET_FAMILY, type NftTableState, parseNftTable } from './nft-json.js';
import { NFT_SET_PORTS, NFT_SET_PORTS_RANGE, NFT_SET_V4_ONCE, NFT_SET_V6_ONCE } from './nft-script.js';

/** `nft -j ARGS`: the JSON text, or undefined when what it names does not exist. */
export type NftList = (args: readonly string[]) => Promise<string | undefined>;

/** The whole table, every grant included; undefined when the table does not exist. */
export async function readNftTable(list: NftList, table: string): Promise<NftTableState | undefined> {
  const text = await list(['list', 'table', 'inet', table]);
  return text === undefined ? undefined : parseListing(text);
}

/**
 * The table without the grant sets' elements (`-t`), the `protected` sets with their ports, and the
 * elements of `grantSets` only: what isIntact() and a status answered from the daemon's ledger need,
 * without parsing a listing of every grant (20 MB at 2 × 65,536) each time.
 *
 * The chains' rules are counted from the same terse listing. nft 1.0.6 fetches every element of the
 * table's sets for any listing that carries rules (`list table`, `list chain`, `list counters`: 1.8 s
 * at 100,000 elements on an idle host, 0.03–0.07 s for `list chains` or one small set), so one such
 * listing is the floor while the check counts rules; a listing per chain would cost that once each.
 */
export async function readNftShape(
  list: NftList,
  table: string,
  grantSets: readonly string[] = [],
): Promise<NftTableState | undefined> {
  const [terse, ...sets] = await Promise.all([
    list(['-t', 'list', 'table', 'inet', table]),
    ...[NFT_SET_PORTS, NFT_SET_PORTS_RANGE, ...grantSets].map((name) =>
      list(['list', 'set', 'inet', table, name]),
    ),
  ]);
  if (terse === undefined) return undefined;
  const state = parseListing(terse);
  const listed = sets.flatMap((text) => (text === undefined ? [] : [parseListing(text)]));
  return { ...state, ports: listed.flatMap((l) => l.ports), grants: listed.flatMap((l) => l.grants) };
}

/**
 * The table's skeleton for the light integrity check: its chains, rules and set declarations from
 * `nft -t list ruleset inet`, and the `protected` sets with their ports. nft 1.0.6 fetches no set
 * element for a terse ruleset listing (it does for a terse `list table`, `list chain` or `list set`
 * of a large set): 0.05 s against 2.2 s for `-t list table` at 100,000 grants. The ruleset holds
 * every inet table: only ours is read from it. Undefined when the table does not exist.
 */
export async function readNftSkeleton(
  list: NftList,
  table: string,
  /** Grant sets whose elements are read too (a status's one-shot sets); small ones only. */
  grantSets: readonly string[] = [],
): Promise<NftTableState | undefined> {
  const [ruleset, ...sets] = await Promise.all([
    list(['-t', 'list', 'ruleset', 'inet']),
    ...[NFT_SET_PORTS, NFT_SET_PORTS_RANGE, ...grantSets].map((name) =>
      list(['list', 'set', 'inet', table, name]),
    ),
  ]);
  if (ruleset === undefined) return undefined;
  const state = parseListing(ruleset, table);
  // A flagged (dormant) table is there, every object kept and none applied: incomplete, not missing.
  if (!state.flagged && state.sets.size === 0 && state.rules.size === 0) return undefined;
  const listed = sets.flatMap((text) => (text === undefined ? [] : [parseListing(text)]));
  return { ...state, ports: listed.flatMap((l) => l.ports), grants: listed.flatMap((l) => l.grants) };
}

/**
 * The `protected` sets' ports and the grants of the one-shot sets (or of every grant set), one small
 * listing each and no rule listing (which would fetch every set's elements): for a status whose
 * shape the daemon vouches for. `missing` when the `protected` set does not exist: the table is gone.
 */
export async function readNftVouched(
  list: NftList,
  table: string,
  allGrants: boolean,
): Promise<ProtectionState> {
  const grantSets = allGrants ? [...GRANT_SET_FAMILY.keys()] : [NFT_SET_V4_ONCE, NFT_SET_V6_ONCE];
  const [ports, ...sets] = await Promise.all(
    [NFT_SET_PORTS, NFT_SET_PORTS_RANGE, ...grantSets].map((name) =>
      list(['list', 'set', 'inet', table, name]),
    ),
  );
  if (ports === undefined) return { protection: 'missing', ports: [], grants: [] };
  const listed = [ports, ...sets].flatMap((text) => (text === undefined ? [] : [parseListing(text)]));
  return {
    protection: 'installed',
    ports: listed.flatMap((l) => l.ports),
    grants: listed.flatMap((l) => l.grants),
  };
}

/**
 * The table's named counters (the knock gate's): packets by name, {} when the table does not exist.
 * nft 1.0.6 fetches every set element for any listing of counters, however narrow (`list counter
 * inet spa knock_tag` too, or the counters of another, small table): 1.3–3 s of nft at 100,000
 * grants on a busy host, against 0.02 s for `list set` of a small set. Terse (`-t`, 0.9 s there,
 * the same output): the daemon's resident terse lister takes it, which the rule check's listing
 * already made as large (~110 MB at 100,000 grants), and the plain lister's small listings (a
 * status's sets) never queue behind it.
 */
export async function readNftCounters(list: NftList, table: string): Promise<Record<string, number>> {
  const text = await list(['-t', 'list', 'counters', 'table', 'inet', table]);
  return text === undefined ? {} : parseNftCounters(text);
}

/** `nft -j list counters`: packets per counter name; anything else is skipped. */
function parseNftCounters(text: string): Record<string, number> {
  const drops: Record<string, number> = {};
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new ServerError(
      SERVER_ERROR_CODES.firewallCommandFailed,
      'nft printed counters that are not JSON',
      {
        cause: error,
      },
    );
  }
  const items = (root as { nftables?: unknown })?.nftables;
  for (const item of Array.isArray(items) ? items : []) {
    const counter = (item as { counter?: { name?: unknown; packets?: unknown } })?.counter;
    if (typeof counter?.name === 'string' && typeof counter.packets === 'number') {
      drops[counter.name] = counter.packets;
    }
  }
  return drops;
}

function parseListing(text: string, table?: string): NftTableState {
  try {
    return parseNftTable(text, table);
  } catch (error) {
    throw new ServerError(
      SERVER_ERROR_CODES.firewallCommandFailed,
      'nft printed a listing that is not JSON',
      {
        cause: error,
      },
    );
  }
}

/**
 * The knock gate's tags as the kernel holds them (32 hex digits each, as the driver writes them), or
 * undefined when the set is missing or its listing is not one the driver can trust (any element not
 * a bare 128-bit value): the caller then replaces the set whole.
 */
export async function readNftTags(list: NftList, table: string): Promise<Set<string> | undefined> {
  const text = await list(['list', 'set', 'inet', table, NFT_GATE_TAGS]);
  if (text === undefined) return undefined;
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  const items = (root as { nftables?: unknown })?.nftables;
  const set = Array.isArray(items)
    ? (items.find((i) => (i as { set?: unknown })?.set) as { set?: { elem?: unknown } } | undefined)?.set
    : undefined;
  if (!set) return undefined;
  const tags = new Set<string>();
  // nft prints the set's 128-bit values in hex without their leading zeros.
  for (const element of Array.isArray(set.elem) ? set.elem : []) {
    if (typeof element !== 'string' || !/^0x[0-9a-f]{1,32}$/.test(element)) return undefined;
    tags.add(element.slice(2).padStart(32, '0'));
  }
  return tags;
}
