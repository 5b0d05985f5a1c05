/** Builds the ResolvedConfig the daemon runs on from a validated server.json, its clients and the server key. @module */

import {
  type ClientConfig,
  DEFAULT_HOOK_CONCURRENCY,
  DEFAULT_HOOK_QUEUE,
  DEFAULT_HOOK_TIMEOUT_MS,
  forwardDestinations,
  HOOK_EVENTS,
  isForwardedService,
  parsePortSpec,
  parseRedisUrl,
  parseSocketAddress,
  type ServerConfig,
} from 'spa-config/server-config';
import { nodeBackend } from 'spa-node';
import type { ConfigReuse } from './config-reuse.js';
import { LoadedClient } from './loaded-client.js';
import type {
  ListenAddress,
  PortSpec,
  ResolvedClient,
  ResolvedConfig,
  ResolvedHooks,
  ResolvedRedis,
} from './resolved-config.js';

export interface ResolveInput {
  readonly source: string;
  readonly config: ServerConfig;
  /** server.json's clients followed by the authorized-keys file's, all already validated and cross-checked. */
  readonly clients: readonly ClientConfig[];
  readonly serverSecretKey: Uint8Array;
  /** Absolute paths (relative ones in the file were resolved against its directory). */
  readonly paths: { readonly serverKeyFile: string; readonly stateDir: string; readonly clientsDir?: string };
  /** replay.passwordFile's and replay.caFile's contents, when set. */
  readonly redisSecrets?: { readonly password?: string | undefined; readonly ca?: string | undefined };
  /** The last load's resolved clients: an unchanged ClientConfig object is not resolved again. */
  readonly resolved?: ConfigReuse['resolved'] | undefined;
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
    clients: input.clients.map((c) => resolveClientOnce(c, config.maxDuration, input.resolved)),
    timestampWindowSeconds: config.timestampWindow,
    futureWindowSeconds: config.futureWindow,
    defaultDurationSeconds: config.defaultDuration,
    maxDurationSeconds: config.maxDuration,
    maxGrantsPerClient: config.maxGrantsPerClient,
    rateLimit: { ...config.rateLimit },
    replay: {
      capacity: config.replay.capacity,
      perClient: config.replay.perClient,
      redis: resolveRedis(config.replay, input.redisSecrets, input.serverSecretKey),
    },
    queueSize: config.queueSize,
    log: { ...config.log },
    metrics: config.metrics ? socket(config.metrics.listen) : undefined,
    hooks: resolveHooks(config.hooks),
    clientsDir:
      input.paths.clientsDir === undefined
        ? undefined
        : { path: input.paths.clientsDir, watch: config.watchClientsDir },
  };
}

function resolveHooks(hooks: ServerConfig['hooks']): ResolvedHooks {
  const commands: Partial<Record<(typeof HOOK_EVENTS)[number], readonly string[]>> = {};
  for (const event of HOOK_EVENTS) {
    const argv = hooks?.[event];
    if (argv) commands[event] = [...argv];
  }
  return {
    commands,
    timeoutMs: hooks?.timeout ?? DEFAULT_HOOK_TIMEOUT_MS,
    maxConcurrent: hooks?.maxConcurrent ?? DEFAULT_HOOK_CONCURRENCY,
    maxQueue: hooks?.maxQueue ?? DEFAULT_HOOK_QUEUE,
  };
}

function resolveRedis(
  replay: ServerConfig['replay'],
  secrets: ResolveInput['redisSecrets'],
  serverSecretKey: Uint8Array,
): ResolvedRedis | undefined {
  if (replay.store !== 'redis') return undefined;
  const publicKey = nodeBackend.x25519PublicKey(serverSecretKey);
  return {
    endpoint: parseRedisUrl(replay.url!)!,
    username: replay.username,
    password: secrets?.password,
    ca: secrets?.ca,
    // The public key, not the secret: servers sharing an identity share entries, others never do.
    keyPrefix: replay.keyPrefix ?? `spa:${Buffer.from(publicKey).toString('hex')}:`,
    timeoutMs: replay.timeout,
    whenUnreachable: replay.whenUnreachable,
  };
}

function socket(text: string): ListenAddress {
  const parsed = parseSocketAddress(text)!;
  return { address: parsed.address, port: parsed.port };
}

/** Service → its ports, each port once, in the order written; a forwarded port carries its hosts. */
export function resolveServices(services: ServerConfig['services']): Map<string, readonly PortSpec[]> {
  const map = new Map<string, readonly PortSpec[]>();
  for (const [name, value] of Object.entries(services)) {
    if (isForwardedService(value)) {
      const forward = forwardDestinations(value).map((d) => ({
        family: d.address.includes(':') ? (6 as const) : (4 as const),
        address: d.address,
        port: d.port,
      }));
      map.set(name, [{ ...parsePortSpec(value.port)!, forward }]);
      continue;
    }
    const specs = [...new Set(typeof value === 'string' ? [value] : value)].map(
      (text) => parsePortSpec(text)!,
    );
    map.set(name, specs);
  }
  return map;
}

function resolveClientOnce(
  client: ClientConfig,
  maxDuration: number,
  memo: ConfigReuse['resolved'] | undefined,
): ResolvedClient {
  const known = memo?.get(client);
  if (known?.maxDuration === maxDuration) return known.client;
  const resolved = new LoadedClient(client, maxDuration);
  memo?.set(client, { maxDuration, client: resolved });
  return resolved;
}
