/** nftables command text for the server's one table: ruleset, grants, revokes, removal. @module */
import type { ActiveGrant, Grant, GrantTarget, PortSpec } from '../driver.js';
import { type ForwardRule, MAX_GRANTS_PER_FAMILY } from '../grant-values.js';
import { type KnockGate, NFT_GATE_TAGS, nftKnockGate, nftTagCommands } from '../knock-gate.js';
import { type KnockLimit, nftKnockLimit } from '../knock-limit.js';
import { type NftSetNames, nftForwardSetup } from './nft-forward.js';

/** Names inside the table; the table name itself is an option. */
export const NFT_SET_V4 = 'allow4';
export const NFT_SET_V6 = 'allow6';
export const NFT_SET_PORTS = 'protected';
/**
 * Port ranges live in sets of their own, with `flags interval`: such a set refuses an element that
 * overlaps another for the same address, so single ports (a port asked for inside a range, a
 * service's own port) stay in the hash sets above, and configured ranges are equal or disjoint
 * (spa-config's port conflicts). Single-port grants and sets are unchanged by ranges.
 */
export const NFT_SET_V4_RANGE = 'allow4_range';
export const NFT_SET_V6_RANGE = 'allow6_range';
export const NFT_SET_PORTS_RANGE = 'protected_range';
/**
 * One-shot grants (a client behind carrier-grade NAT, whose address others share): the first new
 * TCP connection from the address deletes the element, so a second one meets the SYN drop. Their
 * own sets, so a plain grant of the same target is neither consumed nor shortened by them; `dynamic`
 * because the packet path deletes from them (nft would add the flag itself, and a later `add set`
 * without it would then no longer match the set).
 */
export const NFT_SET_V4_ONCE = 'allow4_once';
export const NFT_SET_V6_ONCE = 'allow6_once';
export const NFT_CHAIN = 'input';

/** The sets the forward chain looks up (nft-forward.ts). */
export const NFT_SET_NAMES: NftSetNames = {
  v4: NFT_SET_V4,
  v6: NFT_SET_V6,
  v4Range: NFT_SET_V4_RANGE,
  v6Range: NFT_SET_V6_RANGE,
  ports: NFT_SET_PORTS,
  portsRange: NFT_SET_PORTS_RANGE,
};

/**
 * The chain, in order. The grant sets first, the one-shot sets last among them (a plain grant of the
 * same target lets the SYN through without spending the one-shot one); then a new TCP connection (a bare SYN) to a protected
 * port is dropped, whatever conntrack remembers; then established/related traffic, so a connection
 * opened during a grant outlives it; then the drop of protected ports. Everything else falls through
 * to the policy (accept): this table decides nothing about ports it does not protect. An accept here
 * is not final in nftables, so other tables' rules still apply to granted traffic.
 *
 * Why the SYN rule: conntrack ignores a SYN that reuses the 4-tuple of a connection it still tracks
 * (established or half-closed) as part of that connection, so `ct state established` would accept it. An outsider who connected while the table was deleted underneath could otherwise get a
 * new connection through, after the repair, by reusing a source port (test/fail-closed.test.ts).
 */
export const NFT_RULES: readonly string[] = [
  `ip saddr . meta l4proto . th dport @${NFT_SET_V4} accept`,
  `ip6 saddr . meta l4proto . th dport @${NFT_SET_V6} accept`,
  `ip saddr . meta l4proto . th dport @${NFT_SET_V4_RANGE} accept`,
  `ip6 saddr . meta l4proto . th dport @${NFT_SET_V6_RANGE} accept`,
  onceRule('ip', NFT_SET_V4_ONCE),
  onceRule('ip6', NFT_SET_V6_ONCE),
  `tcp flags & (fin | syn | rst | ack) == syn meta l4proto . th dport @${NFT_SET_PORTS} drop`,
  `tcp flags & (fin | syn | rst | ack) == syn meta l4proto . th dport @${NFT_SET_PORTS_RANGE} drop`,
  'ct state established,related accept',
  `meta l4proto . th dport @${NFT_SET_PORTS} drop`,
  `meta l4proto . th dport @${NFT_SET_PORTS_RANGE} drop`,
];

/**
 * Only a bare SYN that conntrack has not seen (`ct state new`) spends a one-shot grant: a stray ACK
 * from a neighbour on the shared address (which conntrack would pick up as new) cannot, nor can a SYN
 * reusing the 4-tuple of a tracked connection. The rest of the accepted connection passes by the
 * `ct state established` rule below.
 */
function onceRule(family: 'ip' | 'ip6', set: string): string {
  const key = `${family} saddr . meta l4proto . th dport`;
  return `tcp flags & (fin | syn | rst | ack) == syn ct state new ${key} @${set} delete @${set} { ${key} } accept`;
}

const ALLOW_TYPE = 'inet_proto . inet_service';

/** What goes in front of the grant rules on the daemon's UDP ports: the per-source limit, then the gate with its tags (hex). */
export interface NftKnockFilters {
  readonly limit?: KnockLimit;
  readonly gate?: KnockGate;
  readonly tags?: readonly string[];
  /**
   * The kernel's tag set is known to hold exactly `tags` (a setup at reload): left as it is, so a
   * fleet's tens of thousands of tags are not sent again, and grants queued behind the transaction
   * do not wait for them.
   */
  readonly keepTags?: boolean;
}

/**
 * Creates the table or brings an existing one to the wanted shape, as one transaction: `add` of an
 * existing table, set or chain is a no-op (and restores a changed policy), grant elements and spent
 * nonces are kept, the protected ports, the gate's tags, the forwards and the rules are replaced.
 */
export function nftSetupCommands(
  table: string,
  ports: readonly PortSpec[],
  filters: NftKnockFilters = {},
  forwards: readonly ForwardRule[] = [],
): string[] {
  const t = `inet ${table}`;
  const limit = filters.limit ? nftKnockLimit(table, filters.limit) : { sets: [], rules: [] };
  const gate = filters.gate ? nftKnockGate(table, filters.gate) : { sets: [], rules: [] };
  // The gate before the per-source limit: a datagram without a current tag (anyone's forgery) is
  // dropped without spending the budget of the address it claims to come from.
  const knock = { sets: [...limit.sets, ...gate.sets], rules: [...gate.rules, ...limit.rules] };
  const commands = [
    `add table ${t}`,
    `add set ${t} ${NFT_SET_V4} { type ipv4_addr . ${ALLOW_TYPE}; flags timeout; size ${MAX_GRANTS_PER_FAMILY}; }`,
    `add set ${t} ${NFT_SET_V6} { type ipv6_addr . ${ALLOW_TYPE}; flags timeout; size ${MAX_GRANTS_PER_FAMILY}; }`,
    `add set ${t} ${NFT_SET_V4_ONCE} { type ipv4_addr . ${ALLOW_TYPE}; flags dynamic,timeout; size ${MAX_GRANTS_PER_FAMILY}; }`,
    `add set ${t} ${NFT_SET_V6_ONCE} { type ipv6_addr . ${ALLOW_TYPE}; flags dynamic,timeout; size ${MAX_GRANTS_PER_FAMILY}; }`,
    `add set ${t} ${NFT_SET_PORTS} { type ${ALLOW_TYPE}; size ${MAX_GRANTS_PER_FAMILY}; }`,
    `add set ${t} ${NFT_SET_V4_RANGE} { type ipv4_addr . ${ALLOW_TYPE}; flags interval,timeout; size ${MAX_GRANTS_PER_FAMILY}; }`,
    `add set ${t} ${NFT_SET_V6_RANGE} { type ipv6_addr . ${ALLOW_TYPE}; flags interval,timeout; size ${MAX_GRANTS_PER_FAMILY}; }`,
    `add set ${t} ${NFT_SET_PORTS_RANGE} { type ${ALLOW_TYPE}; flags interval; size ${MAX_GRANTS_PER_FAMILY}; }`,
    ...knock.sets,
    `add chain ${t} ${NFT_CHAIN} { type filter hook input priority filter; policy accept; }`,
    `flush chain ${t} ${NFT_CHAIN}`,
    `flush set ${t} ${NFT_SET_PORTS}`,
    `flush set ${t} ${NFT_SET_PORTS_RANGE}`,
  ];
  if (filters.gate && !filters.keepTags) {
    commands.push(`flush set ${t} ${NFT_GATE_TAGS}`, ...nftTagCommands(table, filters.tags ?? []));
  }
  for (const range of [false, true]) {
    const mine = ports.filter((p) => (p.lastPort !== undefined) === range);
    if (mine.length === 0) continue;
    const elements = mine.map((p) => `${p.protocol} . ${portValue(p)}`).join(', ');
    commands.push(`add element ${t} ${range ? NFT_SET_PORTS_RANGE : NFT_SET_PORTS} { ${elements} }`);
  }
  // The knock limit and gate first: a flood is dropped before conntrack or set lookups spend anything on it.
  for (const rule of [...knock.rules, ...NFT_RULES]) commands.push(`add rule ${t} ${NFT_CHAIN} ${rule}`);
  commands.push(...nftForwardSetup(table, NFT_SET_NAMES, forwards));
  return commands;
}

/**
 * Replaces whatever carries the table's name (used when setup() finds objects of another shape,
 * e.g. from an older version) and re-adds the grants that still had time left.
 */
export function nftRebuildCommands(
  table: string,
  ports: readonly PortSpec[],
  keep: readonly ActiveGrant[],
  filters: NftKnockFilters = {},
  forwards: readonly ForwardRule[] = [],
): string[] {
  const grants = keep
    .filter((g) => Number.isFinite(g.expiresInSeconds) && g.expiresInSeconds >= 1)
    .map((g) => ({ ...g, timeoutSeconds: Math.floor(g.expiresInSeconds) }));
  return [
    ...nftRemoveCommands(table),
    ...nftSetupCommands(table, ports, filters, forwards),
    ...nftGrantCommands(table, grants),
  ];
}

/**
 * Adds grants or moves their expiry to the new timeout, never duplicating: `add` (a no-op when the
 * element exists, and it makes the `delete` valid when it does not), `delete`, then `add` with the
 * timeout and comment. Within one transaction the element is never absent to packets.
 */
export function nftGrantCommands(table: string, grants: readonly Grant[]): string[] {
  return perFamily(table, grants, (prefix, keys, mine) => {
    const timed = mine.map((g) => `${elementKey(g)} timeout ${g.timeoutSeconds}s comment "${g.client}"`);
    return [
      `add ${prefix} { ${keys} }`,
      `delete ${prefix} { ${keys} }`,
      `add ${prefix} { ${timed.join(', ')} }`,
    ];
  });
}

/**
 * Removes grants at once; the leading `add` makes a missing element not an error (nft 1.0.6 has no
 * `destroy`): an expired grant, or a one-shot grant its connection already spent.
 */
export function nftRevokeCommands(table: string, targets: readonly GrantTarget[]): string[] {
  return perFamily(table, targets, (prefix, keys) => [
    `add ${prefix} { ${keys} }`,
    `delete ${prefix} { ${keys} }`,
  ]);
}

/** The commands `each` makes for each grant set's targets: `element inet TABLE SET` and the element keys. */
function perFamily<T extends GrantTarget>(
  table: string,
  targets: readonly T[],
  each: (prefix: string, keys: string, mine: readonly T[]) => string[],
): string[] {
  const commands: string[] = [];
  for (const [family, range, once, set] of GRANT_SETS) {
    const mine = targets.filter(
      (t) => t.family === family && (t.lastPort !== undefined) === range && (t.once === true) === once,
    );
    if (mine.length === 0) continue;
    const prefix = `element inet ${table} ${set}`;
    commands.push(...each(prefix, mine.map(elementKey).join(', '), mine));
  }
  return commands;
}

/** Each grant set: its address family, whether it holds ranges, whether its grants are one-shot, its name. */
const GRANT_SETS = [
  [4, false, false, NFT_SET_V4],
  [6, false, false, NFT_SET_V6],
  [4, true, false, NFT_SET_V4_RANGE],
  [6, true, false, NFT_SET_V6_RANGE],
  [4, false, true, NFT_SET_V4_ONCE],
  [6, false, true, NFT_SET_V6_ONCE],
] as const;

/** Empties every grant set at once (`spa-server flush` under a running daemon); the table stays. */
export function nftRevokeAllCommands(table: string): string[] {
  return GRANT_SETS.map(([, , , set]) => `flush set inet ${table} ${set}`);
}

/** Deletes the table with everything in it; adding it first makes a missing table not an error. */
export function nftRemoveCommands(table: string): string[] {
  return [`add table inet ${table}`, `delete table inet ${table}`];
}

/** Joins commands into one nft input line: one line is one transaction, all or nothing. */
export function nftTransaction(commands: readonly string[]): string {
  return commands.join('; ');
}

function elementKey(target: GrantTarget): string {
  return `${target.address} . ${target.protocol} . ${portValue(target)}`;
}

/** `22`, or `8000-8010` (nft's interval syntax, both ends included). */
function portValue(spec: PortSpec): string {
  return spec.lastPort === undefined ? String(spec.port) : `${spec.port}-${spec.lastPort}`;
}
