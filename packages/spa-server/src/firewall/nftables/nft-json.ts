/** Reading `nft -j list table inet NAME`: the grants in the sets and whether the table is whole. @module */
import { portText } from '../../config/port-spec.js';
import type { ActiveGrant, PortSpec } from '../driver.js';
import { canonicalAddress, parseOwners, parseProtocol } from '../grant-values.js';
import { NFT_GATE_RULE_COUNT, NFT_GATE_SPENT, NFT_GATE_TAGS } from '../knock-gate.js';
import { NFT_KNOCK_SET_V4, NFT_KNOCK_SET_V6 } from '../knock-limit.js';
import {
  NFT_FORWARD_CHAIN,
  NFT_FORWARD_RULE_COUNT,
  NFT_MAP_FORWARD4,
  NFT_MAP_FORWARD6,
  NFT_NAT_CHAIN,
  NFT_NAT_RULE_COUNT,
} from './nft-forward.js';
import {
  NFT_CHAIN,
  NFT_RULES,
  NFT_SET_PORTS,
  NFT_SET_PORTS_RANGE,
  NFT_SET_V4,
  NFT_SET_V4_ONCE,
  NFT_SET_V4_RANGE,
  NFT_SET_V6,
  NFT_SET_V6_ONCE,
  NFT_SET_V6_RANGE,
} from './nft-script.js';

/** Grant sets by name: the family of their addresses. */
export const GRANT_SET_FAMILY: ReadonlyMap<string, 4 | 6> = new Map([
  [NFT_SET_V4, 4],
  [NFT_SET_V6, 6],
  [NFT_SET_V4_RANGE, 4],
  [NFT_SET_V6_RANGE, 6],
  [NFT_SET_V4_ONCE, 4],
  [NFT_SET_V6_ONCE, 6],
]);
const ONCE_SETS: ReadonlySet<string> = new Set([NFT_SET_V4_ONCE, NFT_SET_V6_ONCE]);

/** What the listing says about the driver's objects. */
export interface NftTableState {
  readonly sets: ReadonlySet<string>;
  /** Number of rules per chain name. */
  readonly rules: ReadonlyMap<string, number>;
  /** The hook of each base chain, by chain name. */
  readonly hooks: ReadonlyMap<string, string>;
  readonly grants: readonly ActiveGrant[];
  /** Elements of the `protected` sets: the ports and ranges dropped for addresses without a grant. */
  readonly ports: readonly PortSpec[];
  /** Each chain's rules as listed (their expressions' JSON, in chain order): what nft-rule-watch.ts compares. */
  readonly ruleExprs?: ReadonlyMap<string, readonly string[]>;
  /**
   * The table carries flags. The daemon sets none; the one nft 1.0.6 knows is `dormant`, which
   * turns every rule of the table off (every port open to everyone) and leaves each object in place.
   */
  readonly flagged?: boolean;
}

type Json = Record<string, unknown>;

/**
 * Parses nft's JSON listing of the table; unknown or malformed entries are skipped, not trusted.
 * `table`: the listing holds other tables too (`list ruleset inet`): only this inet table's objects count.
 */
export function parseNftTable(text: string, table?: string): NftTableState {
  if (flagsPrinted(text, table)) {
    return { sets: new Set(), rules: new Map(), hooks: new Map(), grants: [], ports: [], flagged: true };
  }
  const root: unknown = JSON.parse(text);
  const all = isObject(root) && Array.isArray(root.nftables) ? root.nftables : [];
  const items =
    table === undefined
      ? all
      : all.filter((item) => ofTable(item, table) || (isObject(item) && isObject(item.table)));
  const sets = new Set<string>();
  const rules = new Map<string, number>();
  const hooks = new Map<string, string>();
  const grants: ActiveGrant[] = [];
  const ports: PortSpec[] = [];
  const ruleExprs = new Map<string, string[]>();
  let flagged = false;
  for (const item of items) {
    if (!isObject(item)) continue;
    // A table's flags that still parsed (flagsPrinted): only their presence is read.
    if (isObject(item.table)) {
      if ('flags' in item.table && item.table.family === 'inet')
        flagged ||= table === undefined || item.table.name === table;
      continue;
    }
    // Maps are listed as `map` items; only their presence is checked.
    if (isObject(item.map) && typeof item.map.name === 'string') sets.add(item.map.name);
    else if (isObject(item.set) && typeof item.set.name === 'string') {
      const { name } = item.set;
      sets.add(name);
      const family = GRANT_SET_FAMILY.get(name);
      if (family) {
        const elements = Array.isArray(item.set.elem) ? item.set.elem : [];
        for (const element of elements) {
          const grant = parseElement(element, family);
          if (grant) grants.push(ONCE_SETS.has(name) ? { ...grant, once: true } : grant);
        }
      } else if ((name === NFT_SET_PORTS || name === NFT_SET_PORTS_RANGE) && Array.isArray(item.set.elem)) {
        for (const element of item.set.elem) {
          const port = parsePortElement(element);
          if (port) ports.push(port);
        }
      }
    } else if (isObject(item.chain) && typeof item.chain.name === 'string') {
      rules.set(item.chain.name, rules.get(item.chain.name) ?? 0);
      if (typeof item.chain.hook === 'string') hooks.set(item.chain.name, item.chain.hook);
    } else if (isObject(item.rule) && typeof item.rule.chain === 'string') {
      rules.set(item.rule.chain, (rules.get(item.rule.chain) ?? 0) + 1);
      const exprs = ruleExprs.get(item.rule.chain) ?? [];
      exprs.push(JSON.stringify(item.rule.expr ?? null));
      ruleExprs.set(item.rule.chain, exprs);
    }
  }
  return { sets, rules, hooks, grants, ports, flagged, ruleExprs };
}

/**
 * nft 1.0.6 prints a flagged table's `flags` in JSON from memory it does not own: any bytes, often
 * not JSON at all (seen: a release name, "inet", text that fails the parse). Such a listing of ours is
 * not parsed: the table is reported flagged, which no intact table is, so the daemon's check repairs
 * it (its setup's `add table` clears the flag) instead of failing on every read. A flagged table of
 * someone else's is skipped when the listing still parses, and makes it fail otherwise.
 */
function flagsPrinted(text: string, table: string | undefined): boolean {
  for (const [, name] of text.matchAll(FLAGS_PRINTED)) if (table === undefined || name === table) return true;
  return false;
}
/** A listing that holds only this table, flagged: what a reader gets when nft could not list it (nftables.ts). */
export const flaggedTableListing = (table: string): string =>
  `{"nftables": [{"table": {"family": "inet", "name": ${JSON.stringify(table)}, "flags": "dormant"}}]}`;

// A table object's name, then its flags before the object ends (nft 1.0.6 prints the handle between;
// keys a later nft adds may come there too). No brace between: linear on any text.
const FLAGS_PRINTED = /\{"table": ?\{"family": ?"inet", ?"name": ?"([^"]+)"[^{}]*?"flags": ?/g;

/** Which of the knock filters the driver installs (nft-script.ts NftKnockFilters). */
export interface NftFiltersShape {
  readonly limit: boolean;
  readonly gate: boolean;
  /** Some service forwards: the nat chain is installed too. */
  readonly forward?: boolean;
}

/**
 * True when the table carries no flag (`dormant`), every set and map, the hooked chains and all
 * their rules (with the knock limit's, the gate's and the nat chain's, if installed) are there, and,
 * when `ports` is given, the `protected` set holds exactly those ports (a flushed set leaves every
 * rule in place but drops nothing).
 */
export function isNftTableIntact(
  state: NftTableState,
  filters: NftFiltersShape = { limit: false, gate: false },
  ports?: readonly PortSpec[],
): boolean {
  if (ports && !samePorts(state.ports, ports)) return false;
  if (state.flagged) return false;
  const sets = [
    ...GRANT_SET_FAMILY.keys(),
    NFT_SET_PORTS,
    NFT_SET_PORTS_RANGE,
    ...(filters.limit ? [NFT_KNOCK_SET_V4, NFT_KNOCK_SET_V6] : []),
    ...(filters.gate ? [NFT_GATE_TAGS, NFT_GATE_SPENT] : []),
    NFT_MAP_FORWARD4,
    NFT_MAP_FORWARD6,
  ];
  const rules = NFT_RULES.length + (filters.limit ? 2 : 0) + (filters.gate ? NFT_GATE_RULE_COUNT : 0);
  const chains: [string, string, number][] = [
    [NFT_CHAIN, 'input', rules],
    [NFT_FORWARD_CHAIN, 'forward', NFT_FORWARD_RULE_COUNT],
    ...(filters.forward
      ? [[NFT_NAT_CHAIN, 'prerouting', NFT_NAT_RULE_COUNT] as [string, string, number]]
      : []),
  ];
  return (
    sets.every((name) => state.sets.has(name)) &&
    chains.every(([name, hook, count]) => state.hooks.get(name) === hook && state.rules.get(name) === count)
  );
}

/**
 * One set element: `{"elem": {"val": {"concat": [addr, proto, port]}, "expires": s, "comment": c}}`,
 * or the bare `{"concat": [...]}` of an element without timeout (only someone else adds those;
 * it never expires, so it is reported with an infinite time left).
 */
function parseElement(element: unknown, family: 4 | 6): ActiveGrant | undefined {
  if (!isObject(element)) return undefined;
  const wrapped = isObject(element.elem) ? element.elem : undefined;
  const value = wrapped ? wrapped.val : element;
  const parts = isObject(value) && Array.isArray(value.concat) ? value.concat : undefined;
  if (parts?.length !== 3) return undefined;
  const [rawAddress, rawProtocol, rawPort] = parts;
  const protocol = parseProtocol(rawProtocol);
  const ports = parsePortValue(rawPort);
  if (typeof rawAddress !== 'string' || !protocol || !ports) return undefined;
  let address: string;
  try {
    const canonical = canonicalAddress(rawAddress);
    if (canonical.family !== family) return undefined;
    address = canonical.address;
  } catch {
    return undefined;
  }
  const client = typeof wrapped?.comment === 'string' ? wrapped.comment : '';
  let expiresInSeconds = Number.POSITIVE_INFINITY;
  if (typeof wrapped?.expires === 'number') expiresInSeconds = wrapped.expires;
  else if (typeof wrapped?.timeout === 'number') expiresInSeconds = 0; // Timed, but less than a second left.
  return { family, address, protocol, ...ports, client, owners: parseOwners(client), expiresInSeconds };
}

/** A port as nft prints it in a set element: `22` (or `"22"`), or an interval `{"range": [8000, 8010]}`. */
function parsePortValue(value: unknown): { port: number; lastPort?: number } | undefined {
  if (isObject(value) && Array.isArray(value.range) && value.range.length === 2) {
    const [port, lastPort] = value.range;
    if (!Number.isInteger(port) || !Number.isInteger(lastPort)) return undefined;
    if ((port as number) === (lastPort as number)) return { port: port as number };
    return (port as number) < (lastPort as number)
      ? { port: port as number, lastPort: lastPort as number }
      : undefined;
  }
  const port = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(port) ? { port } : undefined;
}

function samePorts(a: readonly PortSpec[], b: readonly PortSpec[]): boolean {
  const want = new Set(b.map(portText));
  return a.length === want.size && a.every((p) => want.has(portText(p)));
}

/** One `protected` element: `{"concat": ["tcp", 22]}`, or `{"concat": ["tcp", {"range": [8000, 8010]}]}`. */
function parsePortElement(element: unknown): PortSpec | undefined {
  const parts = isObject(element) && Array.isArray(element.concat) ? element.concat : undefined;
  if (parts?.length !== 2) return undefined;
  const protocol = parseProtocol(parts[0]);
  const ports = typeof parts[1] === 'string' ? undefined : parsePortValue(parts[1]);
  return protocol && ports ? { protocol, ...ports } : undefined;
}

/** A listing item (`{"set": {...}}`, `{"rule": {...}}`) of the inet table `table`. */
function ofTable(item: unknown, table: string): boolean {
  if (!isObject(item)) return false;
  const [inner] = Object.values(item);
  return isObject(inner) && inner.family === 'inet' && inner.table === table;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
