/** A per-source packet limit on the daemon's own UDP ports, enforced by the kernel before its socket: a flood from one source cannot crowd out everyone else's knocks. @module */

import { SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';
import type { PortSpec } from './driver.js';
import { checkPorts } from './grant-values.js';

/*
 * Why in the kernel: the daemon's per-source token bucket runs after the datagram has been read, so a
 * single source sending at line rate (hundreds of thousands of datagrams/s) fills the socket's receive
 * buffer first, and the kernel then drops datagrams from every source alike, legit knocks included.
 * Measured in a lab: one source with two senders, 1.4M datagrams in 5 s, 4 of 10 legit knocks lost.
 * This limit drops a source's excess before it reaches the socket. It is set well above the daemon's
 * own bucket, which stays the one that decides (and counts) rate-limited knocks in normal use.
 */

export interface KnockLimit {
  /** The UDP ports the daemon listens on. */
  readonly ports: readonly number[];
  /** Datagrams per second per source (IPv4 address, or IPv6 /64) beyond which the kernel drops. */
  readonly perSecond: number;
  readonly burst: number;
}

/** How much more the kernel allows than the daemon's bucket; the floor keeps a slow config workable. */
export const KERNEL_FACTOR = 20;
export const MIN_KERNEL_RATE = 100;
export const MIN_KERNEL_BURST = 200;
/*
 * Behind the knock gate (nftables), the limit sees only datagrams that carry a current client tag and
 * are not copies of a granted knock: every one a legitimate source sends is a knock, which the
 * daemon's own bucket would refuse above its rate anyway. So the kernel lets through twice that bucket,
 * not twenty times: what a spoofer with a sniffed tag gets read is the number of addresses it forges
 * times this rate, and at 4,096 addresses the default (10/s) stays well under what one core reads
 * (about 90,000 datagrams/s on the benchmark's host; bench/README.md).
 */
export const GATED_FACTOR = 2;
export const MIN_GATED_RATE = 10;
export const MIN_GATED_BURST = 20;
/** Sources remembered at once; a source idle this long is forgotten (its bucket would be full anyway). */
const TRACKED_SOURCES = 65_536;
const IDLE_SECONDS = 60;

/** The named counter of the nft limit's drops, reported by the metrics endpoint with the gate's (knock-gate.ts). */
export const NFT_LIMIT_COUNTER = 'knock_flood';
export const NFT_KNOCK_SET_V4 = 'knock4';
export const NFT_KNOCK_SET_V6 = 'knock6';

/**
 * The kernel limit for a daemon listening on `ports` with the given per-source bucket; `gated` when the
 * knock gate's rules come before it (nftables with `firewall.knockGate`).
 */
export function knockLimitFor(
  ports: readonly number[],
  rate: number,
  burst: number,
  gated = false,
): KnockLimit {
  const [factor, minRate, minBurst] = gated
    ? [GATED_FACTOR, MIN_GATED_RATE, MIN_GATED_BURST]
    : [KERNEL_FACTOR, MIN_KERNEL_RATE, MIN_KERNEL_BURST];
  return {
    ports: [...new Set(ports)].sort((a, b) => a - b),
    perSecond: Math.max(minRate, Math.ceil(rate * factor)),
    burst: Math.max(minBurst, Math.ceil(burst * factor)),
  };
}

/** Checks every value before it reaches a command line: ports 1–65535, positive integer rates. */
export function checkKnockLimit(limit: KnockLimit): KnockLimit {
  checkPorts(limit.ports.map((port): PortSpec => ({ protocol: 'udp', port })));
  for (const [name, value] of [
    ['perSecond', limit.perSecond],
    ['burst', limit.burst],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1)
      throw invalid(`knock limit ${name} is not a positive integer`);
  }
  if (limit.ports.length === 0) throw invalid('knock limit without a port');
  return limit;
}

const invalid = (message: string): ServerError =>
  new ServerError(SERVER_ERROR_CODES.firewallInvalidInput, message);

/**
 * nft: two dynamic sets and the two rules that go first in the chain (IPv6 sources grouped per /64).
 * The sets are flushed on every setup: an element keeps the limit it was created with, so after a
 * restart with another rate the sources already known would otherwise stay on the old one.
 */
export function nftKnockLimit(table: string, limit: KnockLimit): { sets: string[]; rules: string[] } {
  const t = `inet ${table}`;
  const set = (name: string, type: string): string =>
    `add set ${t} ${name} { type ${type}; flags dynamic,timeout; timeout ${IDLE_SECONDS}s; size ${TRACKED_SOURCES}; }`;
  const ports = `{ ${limit.ports.join(', ')} }`;
  const over = `limit rate over ${limit.perSecond}/second burst ${limit.burst} packets`;
  const drop = `counter name ${NFT_LIMIT_COUNTER} drop`;
  return {
    sets: [
      set(NFT_KNOCK_SET_V4, 'ipv4_addr'),
      set(NFT_KNOCK_SET_V6, 'ipv6_addr'),
      `flush set ${t} ${NFT_KNOCK_SET_V4}`,
      `flush set ${t} ${NFT_KNOCK_SET_V6}`,
      `add counter ${t} ${NFT_LIMIT_COUNTER}`,
    ],
    rules: [
      `meta nfproto ipv4 udp dport ${ports} update @${NFT_KNOCK_SET_V4} { ip saddr ${over} } ${drop}`,
      `meta nfproto ipv6 udp dport ${ports} update @${NFT_KNOCK_SET_V6} { ip6 saddr & ffff:ffff:ffff:ffff:: ${over} } ${drop}`,
    ],
  };
}

/**
 * iptables: hashlimit rules for one family, first in the driver's chain; multiport takes 15 ports per
 * rule. A hashlimit name (at most 15 characters) names one kernel table of sources, shared by every
 * rule that uses it and kept with its first settings while any rule uses it; the name carries a hash
 * of the settings, so a restart with another rate gets a fresh table instead of the old rate.
 */
export function iptablesKnockLimitRules(
  chain: string,
  prefix: string,
  family: 4 | 6,
  limit: KnockLimit,
): string[] {
  const mask = family === 6 ? ' --hashlimit-srcmask 64' : '';
  const rules: string[] = [];
  for (let i = 0; i < limit.ports.length; i += 15) {
    const ports = limit.ports.slice(i, i + 15).join(',');
    rules.push(
      `-A ${chain} -p udp -m multiport --dports ${ports} -m hashlimit --hashlimit-above ${limit.perSecond}/sec` +
        ` --hashlimit-burst ${limit.burst} --hashlimit-mode srcip${mask}` +
        ` --hashlimit-htable-expire ${IDLE_SECONDS * 1000} --hashlimit-htable-max ${TRACKED_SOURCES}` +
        ` --hashlimit-name ${hashlimitName(prefix, family, limit)} -j DROP`,
    );
  }
  return rules;
}

/** `{prefix ≤ 8}_k{family}{4 hex}`: at most 15 characters, distinct per prefix, family and settings. */
function hashlimitName(prefix: string, family: 4 | 6, limit: KnockLimit): string {
  let h = 0x811c9dc5; // FNV-1a over the settings: stable, short, no crypto needed
  for (const c of `${limit.perSecond}/${limit.burst}/${limit.ports.join(',')}`) {
    h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  }
  return `${prefix.slice(0, 8).toLowerCase()}_k${family}${(h & 0xffff).toString(16).padStart(4, '0')}`;
}
