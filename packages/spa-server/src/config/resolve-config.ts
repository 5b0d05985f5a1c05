/** Builds the ResolvedConfig the daemon runs on from a validated server.json, its clients and the server key. @module */

import {
  type ClientConfig,
  parseIsoDate,
  parsePortSpec,
  parseSocketAddress,
  type ServerConfig,
} from 'spa-config/server-config';
import { nodeBackend } from 'spa-node';
import { computeKeyId, normaliseNetwork, parsePublicKey } from 'spa-protocol';
import type { ListenAddress, PortSpec, ResolvedClient, ResolvedConfig } from './resolved-config.js';

export interface ResolveInput {
  readonly source: string;
  readonly config: ServerConfig;
  /** server.json's clients followed by the authorized-keys file's, all already validated and cross-checked. */
  readonly clients: readonly ClientConfig[];
  readonly serverSecretKey: Uint8Array;
  /** Absolute paths (relative ones in the file were resolved against its directory). */
  readonly paths: { readonly serverKeyFile: string; readonly stateDir: string };
}

/** Every value here was validated by the schema, so parsing cannot fail. */
export function resolveConfig(input: ResolveInput): ResolvedConfig {
  const { config } = input;
  const listen = config.listen.map(socket);
  return {
    source: input.source,
    listen,
    serverSecretKey: input.serverSecretKey,
    serverPublicKey: nodeBackend.x25519PublicKey(input.serverSecretKey),
    stateDir: input.paths.stateDir,
    firewall: config.firewall,
    services: resolveServices(config.services),
    clients: input.clients.map((c) => resolveClient(c, config.maxDuration)),
    timestampWindowSeconds: config.timestampWindow,
    futureWindowSeconds: config.futureWindow,
    defaultDurationSeconds: config.defaultDuration,
    maxDurationSeconds: config.maxDuration,
    maxGrantsPerClient: config.maxGrantsPerClient,
    rateLimit: { ...config.rateLimit },
    replay: { ...config.replay },
    queueSize: config.queueSize,
    log: { ...config.log },
    metrics: config.metrics ? socket(config.metrics.listen) : undefined,
  };
}

function socket(text: string): ListenAddress {
  const parsed = parseSocketAddress(text)!;
  return { address: parsed.address, port: parsed.port };
}

/** Service → its ports, each port once, in the order written. */
export function resolveServices(services: ServerConfig['services']): Map<string, readonly PortSpec[]> {
  const map = new Map<string, readonly PortSpec[]>();
  for (const [name, value] of Object.entries(services)) {
    const specs = [...new Set(typeof value === 'string' ? [value] : value)].map(
      (text) => parsePortSpec(text)!,
    );
    map.set(name, specs);
  }
  return map;
}

function resolveClient(client: ClientConfig, serverMaxDuration: number): ResolvedClient {
  const publicKey = parsePublicKey('client', client.publicKey);
  const keyId = computeKeyId(nodeBackend, publicKey);
  return {
    name: client.name,
    publicKey,
    keyId,
    keyIdHex: Array.from(keyId, (b) => b.toString(16).padStart(2, '0')).join(''),
    services: [...new Set(client.services)],
    maxDurationSeconds: client.maxDuration ?? serverMaxDuration,
    sourceNetworks: client.sourceNetworks.map(normaliseNetwork),
    allowSourceAddress: client.allowSourceAddress,
    expiresAtMs: client.expires === undefined ? undefined : parseIsoDate(client.expires),
  };
}
