/** Resolves --host to its addresses in the order the later connection (ssh, our connect) will try them. @module */
import { type IpFamily, parseAddress, unmapAddress } from 'spa-protocol';
import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';

export interface HostAddress {
  readonly address: string;
  readonly family: IpFamily;
}

export interface ResolvedHost {
  readonly name: string;
  /** Resolver order (getaddrinfo, RFC 6724), deduplicated; the first is the one a connection tries first. */
  readonly addresses: readonly HostAddress[];
}

/** The last label of a name (before an optional final dot) in decimal, or hex with 0x. */
const NUMERIC_LAST_LABEL = /(^|\.)(\d+|0x[0-9a-f]*)\.?$/i;

/** An IP literal needs no lookup (and `[v6]` brackets are accepted); a name goes through getaddrinfo. */
export async function resolveHost(host: string, family?: IpFamily): Promise<ResolvedHost> {
  const literal = parseAddress(host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
  if (literal) {
    const address = unmapAddress(literal);
    if (family !== undefined && address.family !== family) {
      throw new ClientError(
        CLIENT_ERROR_CODES.usage,
        `-${family}: ${host} is an IPv${address.family} address`,
      );
    }
    return { name: host, addresses: [{ address: address.text, family: address.family }] };
  }
  // An address written another way (010.0.0.1, 0x7f.1, 2130706433) is not refused by the system's
  // resolver: inet_aton reads it as octal, hex or one number (8.0.0.1, 127.0.0.1), so the knock
  // would go somewhere other than the address the user wrote. No host name ends in a numeric label
  // (RFC 3696 §2: top-level domains are not all-numeric), so such a name is meant as an address.
  if (NUMERIC_LAST_LABEL.test(host)) {
    throw new ClientError(
      CLIENT_ERROR_CODES.usage,
      `host ${JSON.stringify(host.slice(0, 60))} is not an IP address as written: use four decimal numbers without leading zeros (192.0.2.1), an IPv6 address, or a host name`,
    );
  }
  let found: { address: string; family: number }[];
  try {
    // Loaded here: an IP literal (the scripted, measured case) never loads the resolver. Not
    // import(): the bundle runs as a vm.Script (scripts/run-bundle.cjs), which has no module loader.
    const { lookup } = process.getBuiltinModule('node:dns/promises');
    found = await lookup(host, { all: true, family: family ?? 0 });
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? 'lookup failed';
    throw new ClientError(CLIENT_ERROR_CODES.hostUnknown, `cannot resolve ${host}: ${code}`, { cause });
  }
  const seen = new Set<string>();
  const addresses: HostAddress[] = [];
  for (const entry of found) {
    const parsed = parseAddress(entry.address);
    if (!parsed) continue;
    const address = unmapAddress(parsed);
    if (seen.has(address.text)) continue;
    seen.add(address.text);
    addresses.push({ address: address.text, family: address.family });
  }
  if (addresses.length === 0) {
    throw new ClientError(CLIENT_ERROR_CODES.hostUnknown, `cannot resolve ${host}: no usable address`);
  }
  return { name: host, addresses };
}

/** The first address of each family, preferred family first: where knocks and probes go. */
export function firstPerFamily(host: ResolvedHost): HostAddress[] {
  const out: HostAddress[] = [];
  for (const a of host.addresses) if (!out.some((b) => b.family === a.family)) out.push(a);
  return out;
}
