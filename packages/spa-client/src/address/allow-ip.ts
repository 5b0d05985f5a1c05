/** The --allow-ip grammar: source, auto, stun=HOST:PORT (two or more), https://URL and explicit addresses. @module */
import { isGrantable, MAX_ADDRESSES, parseAddress } from 'spa-protocol';
import { usageError } from '../cli/errors.js';
import { clip } from '../cli/option-values.js';
import {
  type DiscoverySources,
  describeDiscovery,
  isDiscoveryToken,
  parseDiscoverySources,
} from '../discovery/discovery-sources.js';

/** What the request should name: nothing (the packet's source), or addresses found and/or given. */
export interface AllowIp {
  /** True: send no address, the server grants the datagram's source address. Only when asked for. */
  readonly source: boolean;
  /** Canonical texts given explicitly. */
  readonly addresses: readonly string[];
  /** Add the local address the route to the host uses, per family. */
  readonly auto: boolean;
  /** Discovery sources named here (stun=…, https://…): always asked, per family. */
  readonly discover: DiscoverySources | undefined;
  /**
   * Nothing was chosen: per family, the route's local address when it and the server's address are
   * in the same scope, else the address the configured discovery finds (README, `--allow-ip`).
   */
  readonly scoped: boolean;
}

export const DEFAULT_ALLOW_IP: AllowIp = {
  source: false,
  addresses: [],
  auto: false,
  discover: undefined,
  scoped: true,
};

/** Parses every --allow-ip value (or the profile's allowIp); `where` names the origin in messages. */
export function parseAllowIp(values: readonly string[], where = '--allow-ip'): AllowIp {
  const tokens = values.flatMap((v) => v.split(',')).map((t) => t.trim());
  if (tokens.length === 0) return DEFAULT_ALLOW_IP;
  let source = false;
  let auto = false;
  const discovery: string[] = [];
  const addresses = new Set<string>();
  for (const token of tokens) {
    if (token === 'source') source = true;
    else if (token === 'auto') auto = true;
    else if (isDiscoveryToken(token)) discovery.push(token);
    else {
      const address = parseAddress(token);
      if (!address || !isGrantable(address)) {
        throw usageError(
          `${where}: expected source, auto, stun=HOST:PORT, https://URL or a unicast IP address, got "${clip(token)}"`,
        );
      }
      addresses.add(address.text);
    }
  }
  const discover = discovery.length > 0 ? parseDiscoverySources(discovery, where) : undefined;
  if (source && (auto || discover || addresses.size > 0)) {
    throw usageError(`${where}: "source" means "no address, use the packet's source" and cannot be combined`);
  }
  if (addresses.size > MAX_ADDRESSES) throw usageError(`${where}: at most ${MAX_ADDRESSES} addresses`);
  return { source, addresses: [...addresses], auto, discover, scoped: false };
}

/** The tokens again, for --json and --dry-run output; the default is `default`. */
export function describeAllowIp(allow: AllowIp): string[] {
  if (allow.source) return ['source'];
  const out: string[] = [];
  if (allow.scoped) out.push('default');
  if (allow.auto) out.push('auto');
  if (allow.discover) out.push(...describeDiscovery(allow.discover));
  return [...out, ...allow.addresses];
}
