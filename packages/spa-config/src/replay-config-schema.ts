/** The `replay` section of server.json: the store's bounds, and where the record is kept (a file, or Redis shared by a fleet). @module */
import { z } from 'zod';

/** 2^20 replay entries, ~200 MB: far beyond what the per-client limits let any set of clients fill. */
export const MAX_REPLAY_CAPACITY = 1_048_576;
/** How long one Redis call may take before the knock is refused: a slow Redis never holds a knock longer. */
export const DEFAULT_REDIS_TIMEOUT_MS = 500;

/** Where a Redis server is: TCP (`rediss:` for TLS) or a Unix socket; never with a password. */
export type RedisEndpoint =
  | { readonly kind: 'tcp'; readonly url: string; readonly tls: boolean }
  | { readonly kind: 'unix'; readonly path: string };

export const replaySchema = z
  .object({
    capacity: z.number().int().min(2).max(MAX_REPLAY_CAPACITY).default(65_536),
    perClient: z.number().int().min(1).max(MAX_REPLAY_CAPACITY).default(4096),
    store: z
      .enum(['file', 'redis'])
      .default('file')
      .describe('file: this server alone (stateDir); redis: also one record shared by every server using it'),
    url: z
      .string()
      .min(1)
      .optional()
      .describe('redis://host:port/db, rediss:// for TLS, or unix:///path/to/redis.sock; no password'),
    username: z
      .string()
      .regex(/^[\w.@-]{1,64}$/, { error: 'must be 1-64 of A-Z, a-z, 0-9, _, ., @ and -' })
      .optional()
      .describe('Redis ACL user'),
    passwordFile: z
      .string()
      .min(1)
      .optional()
      .describe('File holding the Redis password, mode 0600; relative to this file'),
    caFile: z
      .string()
      .min(1)
      .optional()
      .describe('PEM certificates that sign the Redis server certificate (rediss:// only)'),
    keyPrefix: z
      .string()
      .regex(/^[\w:.-]{1,64}$/, { error: 'must be 1-64 of A-Z, a-z, 0-9, _, :, . and -' })
      .optional()
      .describe('Start of every Redis key; "spa:" and the server public key in hex by default'),
    timeout: z
      .number()
      .int()
      .min(10)
      .max(10_000)
      .default(DEFAULT_REDIS_TIMEOUT_MS)
      .describe('Milliseconds one Redis call may take; then the knock is refused'),
    whenUnreachable: z
      .enum(['refuse', 'local'])
      .default('refuse')
      .describe('refuse: no knock is granted while Redis cannot be asked; local: this server alone decides'),
  })
  .strict()
  .prefault({});

export type ReplaySection = z.output<typeof replaySchema>;

/** Where `url` points, or undefined when it is not a Redis URL this server can use. */
export function parseRedisUrl(text: string): RedisEndpoint | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '') return undefined;
  if (url.protocol === 'unix:') {
    return url.host === '' && url.pathname.startsWith('/') && url.search === ''
      ? { kind: 'unix', path: decodeURIComponent(url.pathname) }
      : undefined;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return undefined;
  if (url.hostname === '' || !/^(\/\d{0,2})?$/.test(url.pathname) || url.search !== '') return undefined;
  return { kind: 'tcp', url: text, tls: url.protocol === 'rediss:' };
}

/** Checks across the section's fields, each one line naming its field (under `replay.`). */
export function findReplayProblems(replay: ReplaySection): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const redisOnly = ['url', 'username', 'passwordFile', 'caFile', 'keyPrefix'] as const;
  if (replay.store === 'file') {
    for (const field of redisOnly) {
      if (replay[field] !== undefined) problems.push({ field, message: 'only used with "store": "redis"' });
    }
    return problems;
  }
  if (replay.url === undefined) {
    problems.push({ field: 'url', message: 'required with "store": "redis"' });
    return problems;
  }
  const endpoint = parseRedisUrl(replay.url);
  if (!endpoint) {
    const hasUser = /^[a-z]+:\/\/[^/@]*@/i.test(replay.url);
    problems.push({
      field: 'url',
      message: hasUser
        ? 'no user or password in the URL: use replay.username and replay.passwordFile'
        : 'not redis://host[:port][/db], rediss://host[:port][/db] or unix:///path',
    });
  } else if (replay.caFile !== undefined && !(endpoint.kind === 'tcp' && endpoint.tls)) {
    problems.push({ field: 'caFile', message: 'only used with a rediss:// URL (TLS)' });
  }
  return problems;
}
