/** IP addresses on the wire and in text: strict parsing, canonical text, and which may be granted. @module */
import ipaddr from 'ipaddr.js';

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  /** 4 or 16 bytes, network order. */
  readonly bytes: Uint8Array;
  /** Canonical text: dotted quad, or RFC 5952 compressed IPv6. */
  readonly text: string;
}

/**
 * Strict: four-part decimal IPv4 only (no `127.1`, no hex, no octal tricks), IPv6 without zone id.
 * Undefined for anything else.
 */
export function parseAddress(text: string): IpAddress | undefined {
  if (typeof text !== 'string' || text.length > 45) return undefined;
  try {
    if (ipaddr.IPv4.isValidFourPartDecimal(text)) return fromParsed(ipaddr.IPv4.parse(text));
    if (!text.includes('%') && ipaddr.IPv6.isValid(text)) return fromParsed(ipaddr.IPv6.parse(text));
  } catch {
    // fall through: not an address
  }
  return undefined;
}

/**
 * The address of 4 or 16 bytes (network order), with the same canonical text as parseAddress gives.
 * Formatted here, not through ipaddr.js (~10 times slower): the server's ledger keeps grants as bytes
 * and turns each back into text for a status of up to 131,072 grants.
 */
export function addressFromBytes(bytes: Uint8Array): IpAddress | undefined {
  if (bytes.length === 4) {
    return { family: 4, bytes: bytes.slice(), text: `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}` };
  }
  if (bytes.length === 16) return { family: 6, bytes: bytes.slice(), text: formatIpv6(bytes) };
  return undefined;
}

/**
 * RFC 5952 §4: groups in lowercase hex without leading zeros, the longest run of two or more zero
 * groups (the first of equal runs) as `::`; no dotted IPv4 tail, as ipaddr.js's toRFC5952String.
 */
function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  let bestAt = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestAt = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  return bestAt < 0 ? hex(0, 8) : `${hex(0, bestAt)}::${hex(bestAt + bestLength, 8)}`;
}

/** What a grant may name: a unicast address (not unspecified, multicast, broadcast or IPv4-mapped). */
export function isGrantable(address: IpAddress): boolean {
  const range = ipaddr.fromByteArray(Array.from(address.bytes)).range();
  return range !== 'unspecified' && range !== 'multicast' && range !== 'broadcast' && range !== 'ipv4Mapped';
}

/** True for 127.0.0.0/8 and ::1 (and ::ffff:127.x.y.z): addresses only this host can reach. */
export function isLoopback(address: IpAddress): boolean {
  return ipaddr.fromByteArray(Array.from(unmapAddress(address).bytes)).range() === 'loopback';
}

/** Maps `::ffff:a.b.c.d` (what a dual-stack socket reports for IPv4 senders) to `a.b.c.d`. */
export function unmapAddress(address: IpAddress): IpAddress {
  if (address.family === 4) return address;
  const v6 = ipaddr.IPv6.parse(address.text);
  return v6.isIPv4MappedAddress() ? fromParsed(v6.toIPv4Address()) : address;
}

/** True when `address` lies inside `cidr` (`10.0.0.0/8`, `2001:db8::/32`); false across families. */
export function addressInNetwork(address: IpAddress, cidr: string): boolean {
  const [net, bits] = ipaddr.parseCIDR(cidr);
  const addr = ipaddr.fromByteArray(Array.from(address.bytes));
  return addr.kind() === net.kind() && addr.match(net, bits);
}

/** Validates CIDR text (`a.b.c.d/n` or `x::/n`); bare addresses count as a full-length prefix. */
export function isValidNetwork(cidr: string): boolean {
  if (typeof cidr !== 'string') return false;
  const [addr, bits, ...rest] = cidr.split('/');
  if (rest.length > 0 || addr === undefined) return false;
  const parsed = parseAddress(addr);
  if (!parsed) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (parsed.family === 4 ? 32 : 128);
}

/** Normalises a network: bare addresses get /32 or /128. Call only after isValidNetwork. */
export function normaliseNetwork(cidr: string): string {
  if (cidr.includes('/')) return cidr;
  return `${cidr}/${parseAddress(cidr)?.family === 4 ? 32 : 128}`;
}

function fromParsed(addr: ipaddr.IPv4 | ipaddr.IPv6): IpAddress {
  const bytes = Uint8Array.from(addr.toByteArray());
  if (addr.kind() === 'ipv4') return { family: 4, bytes, text: addr.toString() };
  return { family: 6, bytes, text: (addr as ipaddr.IPv6).toRFC5952String() };
}
