/** Loads server.json: read, parse, validate, read the keys, and resolve; every problem found is reported at once. @module */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  type ClientConfig,
  type ClientEntry,
  checkServerConfig,
  findClientConflicts,
  findOneShotConflicts,
  locateJsonError,
  type ServerConfig,
} from 'spa-config/server-config';
import { readPrivateKeyFile } from 'spa-node';
import { configError, isServerError, SERVER_ERROR_CODES } from '../shared/server-error.js';
import { optionOfField, parseAuthorizedKeys } from './authorized-keys.js';
import { readRedisSecrets } from './redis-secrets.js';
import { resolveConfig } from './resolve-config.js';
import type { ResolvedConfig } from './resolved-config.js';

/** server.json is small; anything bigger is a mistake (or hostile), not something to read. */
export const MAX_CONFIG_BYTES = 1 << 20;
/** Room for about 100,000 clients. */
export const MAX_AUTHORIZED_KEYS_BYTES = 16 << 20;

/**
 * Loads and validates `path`. Throws ServerError CONFIG_INVALID listing every problem, one line
 * each naming the field (`clients[1].publicKey: ...`, `server.json:3:7: ...`, `keys:4: services: ...`).
 */
export async function loadConfig(path: string): Promise<ResolvedConfig> {
  const source = resolve(path);
  const text = await readBounded(source, MAX_CONFIG_BYTES, 'config file');
  const value = parseJson(source, text);
  const checked = checkServerConfig(value);
  // Paths in the file are relative to the file, so a config directory can be moved as a whole.
  const base = dirname(source);
  const problems = checked.ok ? [] : [...checked.problems];
  const keyFile = readKeyFileField(value, checked);
  const serverKey = keyFile === undefined ? undefined : await readServerKey(resolve(base, keyFile), problems);
  if (!checked.ok) throw configError(problems);
  const { config } = checked;
  const clients = await loadClients(config, base, problems);
  const redisSecrets = await readRedisSecrets(config.replay, base, problems);
  if (problems.length > 0 || !serverKey) throw configError(problems);
  return resolveConfig({
    source,
    config,
    clients,
    serverSecretKey: serverKey,
    paths: { serverKeyFile: resolve(base, config.serverKeyFile), stateDir: resolve(base, config.stateDir) },
    redisSecrets,
  });
}

async function readBounded(path: string, limit: number, what: string): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw configError([`${path}: the ${what} is not a regular file`]);
    if (info.size > limit) throw configError([`${path}: the ${what} is larger than ${limit} bytes`]);
    return await readFile(path, 'utf8');
  } catch (cause) {
    if (isServerError(cause, SERVER_ERROR_CODES.configInvalid)) throw cause;
    throw configError([`${path}: cannot read the ${what}: ${describeFsError(cause)}`], { cause });
  }
}

function parseJson(source: string, text: string): unknown {
  // Editors on some systems save a byte-order mark; it is not JSON but it is not a mistake either.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (cause) {
    const where = locateJsonError(body);
    const detail = where ? `${where.line}:${where.column}: invalid JSON: ${where.message}` : 'invalid JSON';
    throw configError([`${source}:${detail}`], { cause });
  }
}

/** The key file can be checked even when other fields are wrong, so that one run reports both. */
function readKeyFileField(value: unknown, checked: ReturnType<typeof checkServerConfig>): string | undefined {
  if (checked.ok) return checked.config.serverKeyFile;
  const field = (value as { serverKeyFile?: unknown } | null)?.serverKeyFile;
  const fieldIsBad = checked.problems.some((p) => p.startsWith('serverKeyFile:'));
  return typeof field === 'string' && field !== '' && !fieldIsBad ? field : undefined;
}

async function readServerKey(path: string, problems: string[]): Promise<Uint8Array | undefined> {
  try {
    return await readPrivateKeyFile('server', path);
  } catch (cause) {
    // readPrivateKeyFile's messages name the file and the expectation, never the key.
    problems.push(`serverKeyFile: ${cause instanceof Error ? cause.message : String(cause)}`);
    return undefined;
  }
}

/** server.json's clients, then the authorized-keys file's, checked together for names, keys and services. */
async function loadClients(config: ServerConfig, base: string, problems: string[]): Promise<ClientConfig[]> {
  const entries: ClientEntry[] = config.clients.map((c, i) => ({ ...c, where: `clients[${i}]` }));
  const clients = [...config.clients];
  if (config.authorizedKeysFile !== undefined) {
    const path = resolve(base, config.authorizedKeysFile);
    let text: string;
    try {
      text = await readBounded(path, MAX_AUTHORIZED_KEYS_BYTES, 'authorized keys file');
    } catch (cause) {
      if (!isServerError(cause, SERVER_ERROR_CODES.configInvalid)) throw cause;
      problems.push(...cause.problems.map((p) => `authorizedKeysFile: ${p}`));
      return clients;
    }
    const parsed = parseAuthorizedKeys(text, path);
    problems.push(...parsed.problems);
    for (const key of parsed.keys) {
      entries.push({ ...key.client, where: `${path}:${key.line}` });
      clients.push(key.client);
    }
  }
  // In a fleet the race guard cannot act on a copy that another gateway granted first: source mode
  // would let whoever copies a knock keep what it opened (docs/fleet.md).
  if (config.replay.store === 'redis') {
    clients.forEach((client, i) => {
      if (!client.allowSourceAddress) return;
      const where = entries[i]!.where;
      const field = where.startsWith('clients[') ? `${where}.allowSourceAddress` : `${where}: allow-source`;
      problems.push(
        `${field}: not with replay.store "redis" (a copy of a source-mode knock granted by another gateway cannot be revoked)`,
      );
    });
  }
  // The JSON clients were cross-checked by the schema already; report only what the file adds.
  const jsonCount = config.clients.length;
  for (const conflict of findClientConflicts(entries, Object.keys(config.services), config.maxDuration)) {
    if (conflict.index < jsonCount) continue;
    const where = entries[conflict.index]!.where;
    problems.push(`${where}: ${optionOfField(String(conflict.path[0]))}: ${conflict.message}`);
  }
  for (const conflict of findOneShotConflicts(clients, config.services, config.firewall.backend)) {
    if (conflict.index < jsonCount) continue;
    problems.push(`${entries[conflict.index]!.where}: ${optionOfField('oneShot')}: ${conflict.message}`);
  }
  return clients;
}

function describeFsError(cause: unknown): string {
  const code = (cause as { code?: string } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return cause instanceof Error ? cause.message : String(cause);
}
