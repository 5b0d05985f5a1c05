/** nftables for what the gateway forwards: the DNAT of forwarded services, and the filter on DNAT'd connections. @module */
import type { ForwardRule } from '../grant-values.js';
import { MAX_GRANTS_PER_FAMILY } from '../grant-values.js';

export const NFT_FORWARD_CHAIN = 'forward';
export const NFT_NAT_CHAIN = 'prerouting';
/** Gateway (protocol . port) → internal host (address . port), one map per family. */
export const NFT_MAP_FORWARD4 = 'forward4';
export const NFT_MAP_FORWARD6 = 'forward6';

/**
 * The set names of nft-script.ts, given by it (this file must not import it back): v4, v6, their
 * range sets, and the protected ports and ranges.
 */
export interface NftSetNames {
  readonly v4: string;
  readonly v6: string;
  readonly v4Range: string;
  readonly v6Range: string;
  readonly ports: string;
  readonly portsRange: string;
}

// nft 1.0.6 types `ct original proto-dst` only once the protocol is known: the l4proto match first.
const DNAT_D = 'meta l4proto { tcp, udp } ct status dnat';
const ORIGINAL_PORT = 'meta l4proto . ct original proto-dst';

/**
 * The forward chain, for connections something DNAT'd (this table's forwards, or a container
 * runtime's published ports): the port the client asked for is conntrack's original destination
 * port, which the grant sets and protected sets already hold. Same order as the input chain: grants,
 * a bare SYN to a protected port, established, then the drop. Connections nobody DNAT'd (plain
 * routing through the gateway) are left alone. An accept here is not final, so other tables' forward
 * chains (Docker's own) still decide too; a drop here is.
 */
export function nftForwardRules(s: NftSetNames): string[] {
  return [
    `${DNAT_D} ip saddr . ${ORIGINAL_PORT} @${s.v4} accept`,
    `${DNAT_D} ip6 saddr . ${ORIGINAL_PORT} @${s.v6} accept`,
    `${DNAT_D} ip saddr . ${ORIGINAL_PORT} @${s.v4Range} accept`,
    `${DNAT_D} ip6 saddr . ${ORIGINAL_PORT} @${s.v6Range} accept`,
    `tcp flags & (fin | syn | rst | ack) == syn ${DNAT_D} ${ORIGINAL_PORT} @${s.ports} drop`,
    `tcp flags & (fin | syn | rst | ack) == syn ${DNAT_D} ${ORIGINAL_PORT} @${s.portsRange} drop`,
    'ct state established,related accept',
    `${DNAT_D} ${ORIGINAL_PORT} @${s.ports} drop`,
    `${DNAT_D} ${ORIGINAL_PORT} @${s.portsRange} drop`,
  ];
}

/** Rules of the forward chain (for the integrity check). */
export const NFT_FORWARD_RULE_COUNT = 9;
/** Rules of the nat chain, installed only while some service forwards. */
export const NFT_NAT_RULE_COUNT = 2;

/**
 * Objects and rules for the forward path, as one part of the setup transaction. The nat chain DNATs
 * a connection only when its source holds a single-port grant of that exact gateway port and it is
 * addressed to the gateway itself: nobody else's packet is led on, and a packet without a grant goes
 * on to the input chain, where the port is protected. The maps are always there and refilled; the nat
 * chain only while something forwards, so a host without NAT support runs everything else. (A nat
 * chain left from an earlier configuration stays, with empty maps: it leads nowhere.)
 */
export function nftForwardSetup(
  table: string,
  sets: NftSetNames,
  forwards: readonly ForwardRule[],
): string[] {
  const t = `inet ${table}`;
  const commands = [
    `add map ${t} ${NFT_MAP_FORWARD4} { type inet_proto . inet_service : ipv4_addr . inet_service; size ${MAX_GRANTS_PER_FAMILY}; }`,
    `add map ${t} ${NFT_MAP_FORWARD6} { type inet_proto . inet_service : ipv6_addr . inet_service; size ${MAX_GRANTS_PER_FAMILY}; }`,
    `add chain ${t} ${NFT_FORWARD_CHAIN} { type filter hook forward priority filter; policy accept; }`,
    `flush chain ${t} ${NFT_FORWARD_CHAIN}`,
    `flush map ${t} ${NFT_MAP_FORWARD4}`,
    `flush map ${t} ${NFT_MAP_FORWARD6}`,
  ];
  for (const [family, map] of [
    [4, NFT_MAP_FORWARD4],
    [6, NFT_MAP_FORWARD6],
  ] as const) {
    const mine = forwards.filter((f) => f.family === family);
    if (mine.length === 0) continue;
    const elements = mine.map((f) => `${f.protocol} . ${f.port} : ${f.address} . ${f.toPort}`);
    commands.push(`add element ${t} ${map} { ${elements.join(', ')} }`);
  }
  for (const rule of nftForwardRules(sets)) commands.push(`add rule ${t} ${NFT_FORWARD_CHAIN} ${rule}`);
  if (forwards.length > 0) {
    commands.push(
      `add chain ${t} ${NFT_NAT_CHAIN} { type nat hook prerouting priority dstnat; policy accept; }`,
      `flush chain ${t} ${NFT_NAT_CHAIN}`,
      `add rule ${t} ${NFT_NAT_CHAIN} fib daddr type local ip saddr . meta l4proto . th dport @${sets.v4} dnat ip to meta l4proto . th dport map @${NFT_MAP_FORWARD4}`,
      `add rule ${t} ${NFT_NAT_CHAIN} fib daddr type local ip6 saddr . meta l4proto . th dport @${sets.v6} dnat ip6 to meta l4proto . th dport map @${NFT_MAP_FORWARD6}`,
    );
  }
  return commands;
}
