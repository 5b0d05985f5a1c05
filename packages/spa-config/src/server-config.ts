/** The schema of server.json (zod 4): field formats and defaults, and where the checks across fields run. Pure. @module */

import { DEFAULT_FUTURE_WINDOW_MS } from 'spa-protocol';
import { z } from 'zod';
import { clientConfigSchema, MAX_GRANT_SECONDS, seconds } from './client-config-schema.js';
import {
  PORT_SPEC_PATTERN,
  parsePortSpec,
  parseSocketAddress,
  SERVICE_NAME_PATTERN,
} from './config-values.js';
import { configErrorMap, formatIssues } from './format-issues.js';
import { hooksSchema } from './hooks-config-schema.js';
import { replaySchema } from './replay-config-schema.js';
import { findCrossFieldProblems } from './server-config-checks.js';
import type { ServerConfig, ServerConfigInput } from './server-config-types.js';

export {
  clientConfigSchema,
  MAX_GRANT_SECONDS,
  RENAMED_REQUIRE_SIGNED,
} from './client-config-schema.js';
export {
  type ClientConflict,
  ClientConflicts,
  type ClientEntry,
  findClientConflicts,
} from './client-conflicts.js';
export { ClientShapes } from './client-shapes.js';
export * from './config-values.js';
export { configErrorMap, formatIssues, formatPath } from './format-issues.js';
export {
  DEFAULT_HOOK_CONCURRENCY,
  DEFAULT_HOOK_QUEUE,
  DEFAULT_HOOK_TIMEOUT_MS,
  HOOK_EVENTS,
  type HookEventName,
} from './hooks-config-schema.js';
export { locateJsonError } from './json-position.js';
export { findListenConflicts, type ListenConflict } from './listen-conflicts.js';
export { findOneShotConflicts, type OneShotConflict, type OneShotEntry } from './one-shot-conflicts.js';
export { findPortConflicts, type PortConflict } from './port-conflicts.js';
export {
  DEFAULT_REDIS_TIMEOUT_MS,
  MAX_REPLAY_CAPACITY,
  parseRedisUrl,
  type RedisEndpoint,
} from './replay-config-schema.js';
export type * from './server-config-types.js';
export * from './service-entries.js';

export const DEFAULT_LISTEN: readonly string[] = ['0.0.0.0:62201', '[::]:62201'];
export const DEFAULT_METRICS_LISTEN = '127.0.0.1:9262';
/** Live (address, port) grants per client: a stolen key cannot fill the kernel's sets. */
export const DEFAULT_MAX_GRANTS_PER_CLIENT = 64;

const socketAddress = z
  .string()
  .refine((v) => parseSocketAddress(v) !== undefined, {
    error: (iss) => `${JSON.stringify(iss.input)} is not ip:port or [ipv6]:port`,
  })
  .meta({ pattern: '^(\\d{1,3}(\\.\\d{1,3}){3}|\\[[0-9A-Fa-f:.]+\\]):\\d{1,5}$' });

const portSpec = z
  .string()
  .refine((v) => parsePortSpec(v) !== undefined, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not tcp/PORT, udp/PORT or a range tcp/FIRST-LAST (ports 1-65535, FIRST below LAST)`,
  })
  .meta({ pattern: PORT_SPEC_PATTERN });

const serviceName = z.string().regex(new RegExp(SERVICE_NAME_PATTERN), {
  error: 'not a valid service name: 1-32 of a-z, 0-9, _ and -, starting with a letter or digit',
});

/** A gateway port that a grant leads on to an internal host (DNAT, nftables only). */
const forwardedService = z
  .object({
    port: portSpec,
    forward: z
      .union([socketAddress, z.array(socketAddress).min(1).max(2)])
      .describe('The internal host: "ip:port", "[ipv6]:port", or one of each family'),
  })
  .strict();

const services = z
  .record(
    serviceName,
    z.union([portSpec, z.array(portSpec).min(1).max(64), forwardedService], {
      error:
        'expected "tcp/PORT", "udp/PORT", a range "tcp/FIRST-LAST", a list of them, or {"port": ..., "forward": "ip:port"}',
    }),
  )
  .refine((record) => Object.keys(record).length > 0, {
    error: 'no service defined: a configuration must protect at least one port',
  });

const schema = z
  .object({
    $schema: z.string().optional(),
    listen: z
      .array(socketAddress)
      .min(1)
      .max(16)
      .default([...DEFAULT_LISTEN])
      .describe('UDP sockets for knocks: "ip:port" or "[ipv6]:port"'),
    serverKeyFile: z.string().min(1).describe('X25519 private key file, mode 0600; relative to this file'),
    stateDir: z.string().min(1).default('/var/lib/spa-server'),
    firewall: z
      .object({
        backend: z.enum(['nftables', 'iptables']).default('nftables'),
        table: z
          .string()
          .regex(/^[a-z][a-z0-9_]{0,15}$/, {
            error: 'must be 1-16 of a-z, 0-9 and _, starting with a letter',
          })
          .default('spa'),
        iptablesVariant: z.enum(['nft', 'legacy']).default('nft'),
        knockGate: z
          .boolean()
          .default(true)
          .describe(
            'nftables: drop datagrams without a current client tag, and copies of granted knocks, in the kernel',
          ),
      })
      .strict()
      .prefault({}),
    services,
    clients: z.array(clientConfigSchema).max(100_000).default([]),
    authorizedKeysFile: z
      .string()
      .min(1)
      .optional()
      .describe('More clients, one per line; relative to this file'),
    clientsDir: z
      .string()
      .min(1)
      .optional()
      .describe('More clients, one NAME.json file each (a client entry); relative to this file'),
    watchClientsDir: z
      .boolean()
      .default(false)
      .describe('Reload when a file in clientsDir changes, as on SIGHUP'),
    timestampWindow: seconds(3600)
      .default(60)
      .describe("Seconds a knock's timestamp may lie behind the server's clock"),
    futureWindow: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(DEFAULT_FUTURE_WINDOW_MS / 1000)
      .describe("Seconds a knock's timestamp may lie ahead of the server's clock; at most timestampWindow"),
    defaultDuration: seconds(MAX_GRANT_SECONDS).default(30).describe('Seconds a grant lasts by default'),
    maxDuration: seconds(MAX_GRANT_SECONDS).default(3600).describe('Upper bound in seconds for any grant'),
    maxGrantsPerClient: z
      .number()
      .int()
      .min(1)
      .max(65_536)
      .default(DEFAULT_MAX_GRANTS_PER_CLIENT)
      .describe('Live grants (address x port) one client may hold at once; more are refused'),
    rateLimit: z
      .object({
        perSourceRate: z.number().positive().max(100_000).default(5),
        perSourceBurst: z.number().int().min(1).max(100_000).default(10),
        maxSources: z.number().int().min(1).max(10_000_000).default(65_536),
        perClientRate: z.number().positive().max(100_000).default(1),
        perClientBurst: z.number().int().min(1).max(100_000).default(10),
      })
      .strict()
      .prefault({}),
    replay: replaySchema,
    queueSize: z.number().int().min(1).max(1_000_000).default(1024),
    log: z
      .object({
        level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
        refusalsPerSecond: z.number().int().min(0).max(100_000).default(10),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        listen: socketAddress.default(DEFAULT_METRICS_LISTEN),
        // The counters say how many knocks were refused and why: worth keeping off the network
        // unless the operator says otherwise.
        allowRemote: z.boolean().default(false),
      })
      .strict()
      .optional(),
    hooks: hooksSchema.optional().describe('Commands run on grant, extend, close and expire events'),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Checks across fields only make sense on fields that are each valid (zod runs this regardless).
    if (ctx.issues.length > 0) return;
    for (const { path, message } of findCrossFieldProblems(config)) {
      ctx.addIssue({ code: 'custom', path: [...path], message });
    }
  });

export const serverConfigSchema: z.ZodType<ServerConfig, ServerConfigInput> = schema;

export type ServerConfigCheck =
  | { readonly ok: true; readonly config: ServerConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Validates a parsed server.json value: the config with defaults, or one line per problem. */
export function checkServerConfig(value: unknown): ServerConfigCheck {
  const result = serverConfigSchema.safeParse(value, { error: configErrorMap });
  return result.success
    ? { ok: true, config: result.data }
    : { ok: false, problems: formatIssues(result.error.issues) };
}

/** JSON Schema (draft 2020-12) of server.json as written, for editors and docs/server-config.schema.json. */
export function serverConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
