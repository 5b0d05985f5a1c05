/** A socket per profile host and TCP port beside the agent's own, so ssh's ProxyCommand is one `nc -U`: the path is the request. @module */
import { createHash } from 'node:crypto';
import type { HostProfile } from 'spa-config/client-profile';
import { parseAccess } from 'spa-protocol';
import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';
import type { ConnectRequest } from './agent-request.js';

/** ssh's own port: served for every host, whatever its services say. */
export const SSH_PORT = 22;
/** Listeners at most (hosts × ports): a profile of a few hosts needs a handful. */
export const MAX_PORT_SOCKETS = 256;
/** sun_path holds 108 bytes on Linux, its terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = 107;
/** Hex digits of the host name's SHA-256 in a path: enough that two hosts of one profile never meet. */
const HOST_DIGITS = 12;

/** Where one socket serves, and the request its every stream makes. */
export interface PortSocket {
  readonly path: string;
  readonly request: ConnectRequest;
}

/**
 * `SOCKET.HASH.` — the host as 12 hex digits of its SHA-256, not as written: a 253-byte name still
 * fits sun_path, and nothing in the path is read by a shell or as a directory. ssh's ProxyCommand
 * appends its `%p`.
 */
export function portSocketPrefix(socketPath: string, host: string): string {
  const digest = createHash('sha256').update(host).digest('hex').slice(0, HOST_DIGITS);
  return `${socketPath}.${digest}.`;
}

/** 22, and every TCP port the entry's services map names (`{"ssh": "tcp/2022"}`), ascending. */
export function hostPorts(entry: HostProfile | undefined): number[] {
  const ports = new Set([SSH_PORT]);
  const services = entry?.services;
  if (services !== undefined && !Array.isArray(services)) {
    for (const value of Object.values(services as Readonly<Record<string, string | readonly string[]>>)) {
      for (const text of typeof value === 'string' ? [value] : value) {
        const item = parseAccess(text);
        if (item?.type === 'tcp') ports.add(item.port);
      }
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** Every (host, port) socket of the hosts served; a path too long or too many of them is a one-line error. */
export function portSockets(
  socketPath: string,
  hosts: readonly { readonly name: string; readonly entry: HostProfile | undefined }[],
): PortSocket[] {
  // An entry is reached by its name or by its `host` field, as the line protocol finds it: ssh may be
  // given either, so both get sockets. A name wins over another entry's `host`, the first entry over a
  // later one with the same `host` (findHost's order).
  const served = new Map<string, { readonly name: string; readonly entry: HostProfile | undefined }>();
  for (const h of hosts) served.set(h.name, h);
  for (const h of hosts) {
    const alias = h.entry?.host;
    if (alias !== undefined && !served.has(alias)) served.set(alias, h);
  }
  const sockets = [...served].flatMap(([asked, { name, entry }]) =>
    hostPorts(entry).map((port) => ({
      path: `${portSocketPrefix(socketPath, asked)}${port}`,
      request: { host: name, port },
    })),
  );
  if (sockets.length > MAX_PORT_SOCKETS) {
    throw new ClientError(
      CLIENT_ERROR_CODES.configInvalid,
      `profile: ${sockets.length} host ports to serve, at most ${MAX_PORT_SOCKETS} (fewer hosts or services)`,
    );
  }
  const longest = sockets.reduce((n, s) => Math.max(n, Buffer.byteLength(s.path)), 0);
  if (longest > MAX_SOCKET_PATH_BYTES) {
    throw new ClientError(
      CLIENT_ERROR_CODES.configInvalid,
      `socket path ${socketPath}: its per-port sockets would be ${longest} bytes, more than a Unix socket's ${MAX_SOCKET_PATH_BYTES} (use a shorter --socket)`,
    );
  }
  return sockets;
}

/**
 * portSockets, or none when the profile needs too many or the path is too long for them: the agent
 * then serves the line protocol alone, which takes any host and port, and `warn` says why. A profile
 * the line protocol served before port sockets existed still starts.
 */
export function servablePortSockets(
  socketPath: string,
  hosts: readonly { readonly name: string; readonly entry: HostProfile | undefined }[],
  warn: (line: string) => void,
): PortSocket[] {
  try {
    return portSockets(socketPath, hosts);
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    warn(`${error.message}; serving ${socketPath} (the line protocol) alone`);
    return [];
  }
}
