/** Where the public address is found: HTTPS address-echo URLs and STUN servers (two or more, that must agree). @module */
import { parseAddress } from 'spa-protocol';
import { usageError } from '../cli/errors.js';
import { clip } from '../cli/option-values.js';

export interface StunServer {
  readonly host: string;
  readonly port: number;
}

/** Every source is asked, and all must report the same address (docs: README, "Address discovery"). */
export interface DiscoverySources {
  /** Canonical `https://` URLs whose body is the caller's address as text. */
  readonly https: readonly string[];
  /** Empty, or at least two: one unauthenticated STUN answer alone is never trusted. */
  readonly stun: readonly StunServer[];
}

export const MAX_DISCOVERY_SOURCES = 4;
const STUN_PORT = 3478; // RFC 5389 §18.4

/** A token that names a discovery source (or tries to: `http://` and bare `stun` are refused by name). */
export function isDiscoveryToken(token: string): boolean {
  return token === 'stun' || token.startsWith('stun=') || /^[a-z][a-z0-9+.-]*:\/\//i.test(token);
}

/** `https://URL` and `stun=HOST[:PORT]` tokens; `where` names the option or profile field in messages. */
export function parseDiscoverySources(tokens: readonly string[], where: string): DiscoverySources {
  const https = new Set<string>();
  const stun = new Map<string, StunServer>();
  for (const token of tokens) {
    if (token === 'stun') {
      throw usageError(
        `${where}: "stun" needs two servers whose answers must agree, stun=HOST:PORT,stun=HOST:PORT (none is built in)`,
      );
    }
    if (token.startsWith('stun=')) {
      const server = parseStunServer(token.slice(5), where);
      stun.set(formatHostPort(server.host, server.port), server);
    } else https.add(parseHttpsUrl(token, where));
  }
  if (stun.size === 1) {
    throw usageError(
      `${where}: one STUN server is not enough (its answer is not authenticated): name two, stun=HOST:PORT,stun=HOST:PORT, whose answers must agree`,
    );
  }
  if (https.size + stun.size > MAX_DISCOVERY_SOURCES) {
    throw usageError(`${where}: at most ${MAX_DISCOVERY_SOURCES} discovery sources`);
  }
  return { https: [...https], stun: [...stun.values()] };
}

/** Only https: an attacker on the path could rewrite a plain-HTTP answer to any address. */
export function parseHttpsUrl(text: string, where: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`${where}: expected https://URL or stun=HOST:PORT, got "${clip(text)}"`);
  }
  if (url.protocol !== 'https:') {
    throw usageError(
      `${where}: ${url.protocol}// is refused: discovery needs https:// (the answer must be authenticated), got "${clip(text)}"`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw usageError(`${where}: no user name or password in a discovery URL`);
  }
  return url.href;
}

/** `HOST:PORT`, `[IPv6]:PORT`, or `HOST` alone (port 3478). */
export function parseStunServer(text: string, where: string): StunServer {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(text);
  const port = m?.[3] === undefined ? STUN_PORT : Number(m[3]);
  const host = m?.[1] ?? m?.[2];
  if (!host || port < 1 || port > 65535 || (m?.[1] !== undefined && parseAddress(host)?.family !== 6)) {
    throw usageError(`${where}: expected stun=HOST:PORT (IPv6 as [ADDR]:PORT), got "stun=${clip(text)}"`);
  }
  return { host, port };
}

/** The tokens again, for messages and --json. */
export function describeDiscovery(sources: DiscoverySources): string[] {
  return [...sources.https, ...sources.stun.map((s) => `stun=${formatHostPort(s.host, s.port)}`)];
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
