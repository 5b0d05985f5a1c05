/** Text formats of configuration values: listen addresses, port specs, names, ISO dates. Pure parsers. @module */
import { isLoopback, isPort, MAX_SERVICE_NAME_LENGTH, parseAddress } from 'spa-protocol';

/** A socket address as configured: canonical IP text and a port. */
export interface SocketAddress {
  readonly address: string;
  readonly port: number;
}

/** The same rule as isServiceName (docs/protocol.md §5.1), as a pattern the JSON Schema can carry. */
export const SERVICE_NAME_PATTERN: string = `^[a-z0-9][a-z0-9_-]{0,${MAX_SERVICE_NAME_LENGTH - 1}}$`;

/**
 * Client names end up in logs and in firewall element comments (quoted by both nft and ipset): a
 * small alphabet keeps them safe to print and quote anywhere (an e-mail address with a `+` tag
 * fits). The firewall layer checks grants with this same pattern, so a name the config accepts
 * always reaches the kernel.
 */
export const CLIENT_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$';

/** `tcp/22`, or a range `tcp/8000-8010` (both ends included). */
export const PORT_SPEC_PATTERN = '^(tcp|udp)/[1-9][0-9]{0,4}(-[1-9][0-9]{0,4})?$';

/** A protected port or port range as configured; `lastPort` only for a range, and then above `port`. */
export interface ConfiguredPort {
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  readonly lastPort?: number;
}

/** `YYYY-MM-DD`, or a full ISO 8601 date-time with seconds and a zone (`Z` or `±HH:MM`). */
export const ISO_DATE_PATTERN =
  '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2}))?$';

const LISTEN_V6 = /^\[([0-9A-Fa-f:.]{2,45})\]:(\d{1,5})$/;
const LISTEN_V4 = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/;

/** `1.2.3.4:62201` or `[2001:db8::1]:62201`; undefined for anything else (hostnames included). */
export function parseSocketAddress(text: string): SocketAddress | undefined {
  if (typeof text !== 'string') return undefined;
  const m = LISTEN_V6.exec(text) ?? LISTEN_V4.exec(text);
  if (!m) return undefined;
  const address = parseAddress(m[1]!);
  const port = Number(m[2]);
  // An IPv4 address inside brackets is not an IPv6 literal; a port must be plain decimal.
  const bracketed = text.startsWith('[');
  if (!address || (address.family === 6) !== bracketed) return undefined;
  if (!isPort(port) || String(port) !== m[2]) return undefined;
  return { address: address.text, port };
}

/** `1.2.3.4:62201`, `[::]:62201`. */
export function formatSocketAddress(socket: SocketAddress): string {
  return socket.address.includes(':')
    ? `[${socket.address}]:${socket.port}`
    : `${socket.address}:${socket.port}`;
}

/**
 * `tcp/22` → { protocol, port }; `tcp/8000-8010` → { protocol, port: 8000, lastPort: 8010 }.
 * Undefined unless the protocol is tcp or udp, every port is 1–65535 and a range's first port is
 * below its last (`tcp/22-22` is written `tcp/22`: one spelling per set of ports).
 */
export function parsePortSpec(text: string): ConfiguredPort | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(tcp|udp)\/([1-9]\d{0,4})(?:-([1-9]\d{0,4}))?$/.exec(text);
  if (!m) return undefined;
  const protocol = m[1] as 'tcp' | 'udp';
  const port = Number(m[2]);
  if (!isPort(port)) return undefined;
  if (m[3] === undefined) return { protocol, port };
  const lastPort = Number(m[3]);
  return isPort(lastPort) && lastPort > port ? { protocol, port, lastPort } : undefined;
}

/** The config's text of a port or range: `tcp/22`, `tcp/8000-8010`. */
export function formatPortSpec(spec: ConfiguredPort): string {
  return spec.lastPort === undefined
    ? `${spec.protocol}/${spec.port}`
    : `${spec.protocol}/${spec.port}-${spec.lastPort}`;
}

/**
 * Milliseconds since the epoch for an ISO date (`2027-01-01` means 00:00 UTC that day) or date-time
 * with an explicit zone; undefined for anything else, including impossible dates like `2027-02-30`.
 */
export function parseIsoDate(text: string): number | undefined {
  if (typeof text !== 'string' || !new RegExp(ISO_DATE_PATTERN).test(text)) return undefined;
  const full = text.length === 10 ? `${text}T00:00:00Z` : text;
  const ms = Date.parse(full);
  if (!Number.isFinite(ms)) return undefined;
  // Date.parse rolls 2027-02-30 over to March; the calendar date must survive the round trip.
  const [y, mo, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    return undefined;
  }
  const time = text.slice(11, 19).split(':').map(Number);
  if (time.length === 3 && (time[0]! > 23 || time[1]! > 59 || time[2]! > 59)) return undefined;
  return ms;
}

/** True for `127.x.y.z:port` and `[::1]:port`: a socket address only this host can reach. */
export function isLoopbackSocket(listen: string): boolean {
  const socket = parseSocketAddress(listen);
  const address = socket && parseAddress(socket.address);
  return address !== undefined && isLoopback(address);
}
