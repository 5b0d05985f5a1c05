/** The kernel's knock gate (nftables): datagrams to the daemon's ports that carry no current client tag, or the nonce of a knock already granted, are dropped before the socket. @module */

import {
  CLIENT_TAG_OFFSET,
  CLIENT_TAG_SIZE,
  HEADER_NONCE_OFFSET,
  MAX_DATAGRAM_SIZE,
  MIN_DATAGRAM_SIZE,
  NONCE_SIZE,
} from 'spa-protocol';
import { SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';
import type { SpentNonce } from './driver.js';
import { MAX_GRANTS_PER_FAMILY } from './grant-values.js';

/*
 * Why in the kernel: reading a datagram costs the daemon a system call, a buffer and a callback,
 * ~3 µs on a fast core and ~10 µs on a slow one, whatever it then finds. A flood of datagrams that
 * the daemon would refuse at the tag lookup (docs/protocol.md §7 3) or as a byte copy of a knock it
 * already granted (§7 7) fills the socket's buffer and crowds out legit knocks. The tag and the nonce
 * sit at fixed offsets of the UDP payload, so nftables can look both up in sets the daemon keeps:
 *   - `knock_tags`: the client tags of the epochs the daemon holds (updated as epochs pass, and on
 *     reload); anything else is dropped, as the daemon would refuse it (`unknown-client`);
 *   - `knock_spent`: tag and nonce of knocks already granted, until the tag's epoch leaves the window
 *     (keyed with the tag, so another client's knock that happens to carry the same nonce passes).
 * A datagram too short to carry a tag and a nonce, or too long for the protocol, is dropped first:
 * without that rule a payload shorter than the tag would not match the tag rule at all (nft's payload
 * load fails, so the rule does not apply) and would reach the daemon.
 * The daemon's own checks stay: the gate only drops what the daemon would refuse anyway, and every
 * drop is counted in a named counter (`knock_*`), which the metrics endpoint reports.
 */

/** Bits from the start of the UDP header to a payload byte (nft's `@th` base). */
const UDP_HEADER_BITS = 64;
const bitsAt = (payloadOffset: number): number => UDP_HEADER_BITS + payloadOffset * 8;

export const NFT_GATE_TAGS = 'knock_tags';
export const NFT_GATE_SPENT = 'knock_spent';
/** The gate's rules, in chain order, and the counter each one counts its drops in. */
export const NFT_GATE_COUNTERS = {
  size: 'knock_size',
  tag: 'knock_tag',
  spent: 'knock_spent',
} as const;
export const NFT_GATE_RULE_COUNT = 3;

/**
 * Nonces of granted knocks held at once, a sizing choice: twice MAX_GRANTS_PER_FAMILY (a grant set's
 * bound per family), so a window of 100,000 knocks, one grant each, fits (the bench's bulk phase).
 * It is no guarantee: renewals and closes add a nonce without a grant, and a nonce stays until its
 * epoch leaves the window whatever the grant's duration. Each element costs the kernel ~130 bytes
 * (measured: 17 MB at this size), and only granted knocks, so holders of a key, add any. Beyond it
 * an add fails (isSpentSetFull), and copies reach the daemon, which refuses them as replays: cost,
 * never a grant.
 */
export const SPENT_CAPACITY = 2 * MAX_GRANTS_PER_FAMILY;

/**
 * True for nft's refusal of an add to the full spent set: nf_tables answers ENFILE, which nft prints
 * as strerror's text. The whole transaction (one batch of nonces) is refused.
 */
export function isSpentSetFull(error: unknown): boolean {
  return (
    error instanceof Error && /Could not process rule: Too many open files in system/.test(error.message)
  );
}

const TAG_FIELD = `@th,${bitsAt(CLIENT_TAG_OFFSET)},${CLIENT_TAG_SIZE * 8}`;
// Tag and nonce are adjacent (§3): one 256-bit key, so a spent nonce is only ever this client's.
const SPENT_FIELD = `@th,${bitsAt(CLIENT_TAG_OFFSET)},${(CLIENT_TAG_SIZE + NONCE_SIZE) * 8}`;
if (HEADER_NONCE_OFFSET !== CLIENT_TAG_OFFSET + CLIENT_TAG_SIZE)
  throw new Error('knock gate: tag and nonce not adjacent');
const UDP_LENGTHS = `${MIN_DATAGRAM_SIZE + 8}-${MAX_DATAGRAM_SIZE + 8}`;

/** The daemon's UDP ports: the gate applies to them only. */
export interface KnockGate {
  readonly ports: readonly number[];
}

/** nft: the two sets, the counters, and the three rules that go first in the chain, before the knock limit. */
export function nftKnockGate(table: string, gate: KnockGate): { sets: string[]; rules: string[] } {
  const t = `inet ${table}`;
  const ports = `{ ${[...gate.ports].sort((a, b) => a - b).join(', ')} }`;
  const udp = `udp dport ${ports}`;
  return {
    sets: [
      // No size: bounded by the configuration (clients × epochs held), and a full set would drop knocks.
      `add set ${t} ${NFT_GATE_TAGS} { typeof ${TAG_FIELD}; }`,
      `add set ${t} ${NFT_GATE_SPENT} { typeof ${SPENT_FIELD}; flags timeout; size ${SPENT_CAPACITY}; }`,
      ...Object.values(NFT_GATE_COUNTERS).map((name) => `add counter ${t} ${name}`),
    ],
    rules: [
      `${udp} udp length != ${UDP_LENGTHS} counter name ${NFT_GATE_COUNTERS.size} drop`,
      `${udp} ${TAG_FIELD} != @${NFT_GATE_TAGS} counter name ${NFT_GATE_COUNTERS.tag} drop`,
      `${udp} ${SPENT_FIELD} @${NFT_GATE_SPENT} counter name ${NFT_GATE_COUNTERS.spent} drop`,
    ],
  };
}

/** Hex of 16 bytes (a tag) or 32 (tag and nonce) as nft reads the value. */
export function nftHex(hex: string, bytes: 16 | 32 = 16): string {
  if (hex.length !== bytes * 2 || !/^[0-9a-f]+$/.test(hex)) {
    throw new ServerError(
      SERVER_ERROR_CODES.firewallInvalidInput,
      `knock gate: a value is not ${bytes} bytes of hex`,
    );
  }
  return `0x${hex}`;
}

/** Elements per command: a fleet's tags are added in pieces, not as one line of megabytes. */
const CHUNK = 2048;

/** `add element` (or `delete element`) commands for tags (hex), in pieces of CHUNK elements. */
export function nftTagCommands(
  table: string,
  tags: readonly string[],
  verb: 'add' | 'delete' = 'add',
): string[] {
  const commands: string[] = [];
  for (let i = 0; i < tags.length; i += CHUNK) {
    const elements = tags
      .slice(i, i + CHUNK)
      .map((t) => nftHex(t))
      .join(', ');
    commands.push(`${verb} element inet ${table} ${NFT_GATE_TAGS} { ${elements} }`);
  }
  return commands;
}

/**
 * The commands that turn the set `held` into `next`: the tags that left, then the ones that came.
 * A reload that changes one key of 10,000 then sends six tags, not 30,000 (several hundred
 * milliseconds of nft work, which grants queued behind it on the same nft shell would wait for).
 * A delete of a tag the kernel lacks fails the whole transaction: the caller then replaces the set.
 */
export function nftTagDiff(table: string, held: ReadonlySet<string>, next: ReadonlySet<string>): string[] {
  const gone = [...held].filter((t) => !next.has(t));
  const added = [...next].filter((t) => !held.has(t));
  return [...nftTagCommands(table, gone, 'delete'), ...nftTagCommands(table, added)];
}

/** Adds spent knocks; an existing one keeps its timeout (a knock is granted once, so it is never re-added). */
export function nftSpentCommand(table: string, spent: readonly SpentNonce[]): string {
  const elements = spent.map((s) => {
    if (!Number.isSafeInteger(s.timeoutSeconds) || s.timeoutSeconds < 1) {
      throw new ServerError(SERVER_ERROR_CODES.firewallInvalidInput, 'knock gate: bad timeout');
    }
    return `${nftHex(s.tagNonceHex, 32)} timeout ${s.timeoutSeconds}s`;
  });
  return `add element inet ${table} ${NFT_GATE_SPENT} { ${elements.join(', ')} }`;
}
