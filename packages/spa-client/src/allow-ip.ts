/** The --allow-ip grammar: source, auto, stun[=HOST:PORT] and explicit addresses (repeatable, comma lists). @module */
import { isGrantable, MAX_ADDRESSES, parseAddress } from 'spa-protocol';
import { usageError } from './errors.js';
import { clip } from './option-values.js';

export interface StunServer {
  readonly host: string;
  readonly port: number;
}

/** What the request should name: nothing (the packet's source), or addresses found and/or given. */
export interface AllowIp {
  /** True: send no address, the server grants the datagram's source address. */
  readonly source: boolean;
  /** Canonical texts given explicitly. */
  readonly addresses: readonly string[];
  /** Add the local address the route to the host uses, per family. */
  readonly auto: boolean;
  /** Add the public address a STUN server sees, per family. */
  readonly stun: StunServer | undefined;
}

/** Used by `stun` without a server. Any RFC 5389 server works; name yours in the profile. */
export const DEFAULT_STUN_SERVER: StunServer = { host: 'stun.l.google.com', port: 19302 };
const STUN_PORT = 3478; // RFC 5389 §18.4

export const SOURCE_ONLY: AllowIp = { source: true, addresses: [], auto: false, stun: undefined };

/** Parses every --allow-ip value (or the profile's allowIp); `where` names the origin in messages. */
export function parseAllowIp(values: readonly string[], where = '--allow-ip'): AllowIp {
  const tokens = values.flatMap((v) => v.split(',')).map((t) => t.trim());
  if (tokens.length === 0) return SOURCE_ONLY;
  let source = false;
  let auto = false;
  let stun: StunServer | undefined;
  const addresses = new Set<string>();
  for (const token of tokens) {
    if (token === 'source') source = true;
    else if (token === 'auto') auto = true;
    else if (token === 'stun') stun = DEFAULT_STUN_SERVER;
    else if (token.startsWith('stun=')) stun = parseStunServer(token.slice(5), where);
    else {
      const address = parseAddress(token);
      if (!address || !isGrantable(address)) {
        throw usageError(
          `${where}: expected source, auto, stun, stun=HOST:PORT or a unicast IP address, got "${clip(token)}"`,
        );
      }
      addresses.add(address.text);
    }
  }
  if (source && (auto || stun || addresses.size > 0)) {
    throw usageError(`${where}: "source" means "no address, use the packet's source" and cannot be combined`);
  }
  if (addresses.size > MAX_ADDRESSES) throw usageError(`${where}: at most ${MAX_ADDRESSES} addresses`);
  return { source, addresses: [...addresses], auto, stun };
}

/** `HOST:PORT`, `[IPv6]:PORT`, or `HOST` alone (port 3478). */
export function parseStunServer(text: string, where = '--allow-ip'): StunServer {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(text);
  const port = m?.[3] === undefined ? STUN_PORT : Number(m[3]);
  const host = m?.[1] ?? m?.[2];
  if (!host || port < 1 || port > 65535 || (m?.[1] !== undefined && parseAddress(host)?.family !== 6)) {
    throw usageError(`${where}: expected stun=HOST:PORT (IPv6 as [ADDR]:PORT), got "stun=${clip(text)}"`);
  }
  return { host, port };
}

/** The tokens again, for --json and --dry-run output. */
export function describeAllowIp(allow: AllowIp): string[] {
  if (allow.source) return ['source'];
  const out: string[] = [];
  if (allow.auto) out.push('auto');
  if (allow.stun) out.push(`stun=${formatHostPort(allow.stun.host, allow.stun.port)}`);
  return [...out, ...allow.addresses];
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
