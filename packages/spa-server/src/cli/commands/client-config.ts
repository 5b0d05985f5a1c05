/** `spa-server client-config NAME`: a client profile (server address, port, key, services) ready to paste. @module */
import { formatPublicKey } from 'spa-protocol';
import { loadConfig } from '../../config/load-config.js';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { PortSpec } from '../../firewall/driver.js';
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';

export interface ClientConfigOptions {
  readonly config: string;
  readonly host: string;
}

/** The same rule as the client profile's `host` field: a DNS name or an IP address. */
const HOST = /^[A-Za-z0-9.:_-]{1,253}$/;

export async function runClientConfig(name: string, options: ClientConfigOptions): Promise<void> {
  if (!HOST.test(options.host)) {
    throw new ServerError(
      SERVER_ERROR_CODES.usage,
      `--host: "${options.host}" is not a DNS name or an IP address`,
    );
  }
  const config = await loadConfig(options.config);
  process.stdout.write(`${JSON.stringify(buildClientProfile(config, name, options.host), null, 2)}\n`);
}

/**
 * `{"hosts": {HOST: {host, port, serverKey, services, keyFile, maxDuration}}}`, valid against spa-protocol's
 * client-profile schema. Services come as a map so that the client also knows which ports to probe.
 */
export function buildClientProfile(config: ResolvedConfig, name: string, host: string): object {
  const client = config.clients.find((c) => c.name === name);
  if (!client) {
    const known = config.clients.map((c) => c.name).slice(0, 20);
    throw new ServerError(
      SERVER_ERROR_CODES.unknownClient,
      `no client "${name}" in ${config.source}${known.length > 0 ? ` (clients: ${known.join(', ')})` : ''}`,
    );
  }
  const services: Record<string, string | string[]> = {};
  for (const service of client.services) {
    const ports = (config.services.get(service) ?? []).flatMap(probePorts);
    services[service] = ports.length === 1 ? ports[0]! : ports;
  }
  return {
    hosts: {
      [host]: {
        host,
        port: config.listen[0]!.port,
        serverKey: formatPublicKey('server', config.serverPublicKey),
        services,
        keyFile: `~/.config/spa/${name}.key`,
        // No allowIp: the client's default already signs an address (the route's, or a discovered
        // public one), which is what the server requires unless allowSourceAddress is set.
        // The client warns when asked for longer than this (the server would cap it silently).
        maxDuration: Math.min(client.maxDurationSeconds, config.maxDurationSeconds),
      },
    },
  };
}

/**
 * The ports the client probes for a spec (`--wait`, `connect`): a profile names single ports, and
 * the client asks for the service by name, so a range is probed at both ends.
 */
function probePorts(p: PortSpec): string[] {
  const first = `${p.protocol}/${p.port}`;
  return p.lastPort === undefined ? [first] : [first, `${p.protocol}/${p.lastPort}`];
}
