/** Loads server.json: read, parse, validate, read the keys, and resolve; every problem found is reported at once. @module */
import { dirname, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { checkServerConfig, locateJsonError } from 'spa-config/server-config';
import { readPrivateKeyFile } from 'spa-node';
import { configError } from '../shared/server-error.js';
import type { ConfigReuse } from './config-reuse.js';
import { loadClients } from './load-clients.js';
import { readBounded } from './read-bounded.js';
import { readRedisSecrets } from './redis-secrets.js';
import { resolveConfig } from './resolve-config.js';
import type { ResolvedConfig } from './resolved-config.js';
import { secretFileOwnerProblem } from './secret-owner.js';

/** server.json is small; anything bigger is a mistake (or hostile), not something to read. */
export const MAX_CONFIG_BYTES = 1 << 20;

/**
 * Loads and validates `path`. Throws ServerError CONFIG_INVALID listing every problem, one line
 * each naming the field (`clients[1].publicKey: ...`, `server.json:3:7: ...`, `keys:4: services: ...`,
 * `clients.d/bob.json: services[0]: ...`).
 */
export async function loadConfig(path: string, reuse?: ConfigReuse): Promise<ResolvedConfig> {
  try {
    return await load(path, reuse);
  } catch (error) {
    reuse?.keys.ahead.finish(); // no table will take what the worker derived
    throw error;
  }
}

async function load(path: string, reuse: ConfigReuse | undefined): Promise<ResolvedConfig> {
  const source = resolve(path);
  const text = await readBounded(source, MAX_CONFIG_BYTES, 'config file');
  const value = parseJson(source, text);
  const checked = checkServerConfig(value);
  // Paths in the file are relative to the file, so a config directory can be moved as a whole.
  const base = dirname(source);
  const problems = checked.ok ? [] : [...checked.problems];
  const keyFile = readKeyFileField(value, checked);
  // The daemon's loads only: `check` or `status` run by root read the key of a daemon run as its own user.
  const owner = reuse?.owner;
  const serverKey =
    keyFile === undefined ? undefined : await readServerKey(resolve(base, keyFile), problems, owner);
  if (!checked.ok) throw configError(problems);
  const { config } = checked;
  // Before the clients: the cache's verdicts spare the schema the §1 check of every known key.
  const keysOpened =
    reuse && serverKey ? await reuse.keys.open(resolve(base, config.stateDir), serverKey) : undefined;
  // At start: the files an earlier run validated, which cost an lstat each rather than a read.
  if (reuse && serverKey && config.clientsDir !== undefined) {
    const dir = resolve(base, config.clientsDir);
    await reuse.dir.open(resolve(base, config.stateDir), serverKey, dir, reuse.files);
  }
  // Keys no cache holds are derived in a worker while this thread reads the rest (agreements-ahead.ts).
  if (reuse && serverKey) reuse.keys.ahead.start(serverKey);
  const offer = reuse && ((text: string) => reuse.keys.offer(text));
  // Files the clients-dir cache vouches for are not read; their keys are offered only when the key
  // cache was read for this load (a start, a new server key) and holds none: lost or ignored while
  // the clients-dir cache was kept, or a new server key's. Otherwise the key cache holds them, or
  // (a reload) the table in force does, and 10,000 offers would cost a worker's work for nothing.
  const offerRemembered = keysOpened && !keysOpened.again && keysOpened.loaded === 0 ? offer : undefined;
  const clients = await loadClients(
    config,
    base,
    problems,
    readBounded,
    reuse?.files,
    offer,
    offerRemembered,
  );
  reuse?.keys.ahead.offersDone();
  const redisSecrets = await readRedisSecrets(config.replay, base, problems, owner);
  if (problems.length > 0 || !serverKey) throw configError(problems);
  // Resolving is synchronous over every client: datagrams that came during the checks go first.
  if (clients.length > 1000) await nextTurn();
  return resolveConfig({
    source,
    config,
    clients,
    serverSecretKey: serverKey,
    paths: {
      serverKeyFile: resolve(base, config.serverKeyFile),
      stateDir: resolve(base, config.stateDir),
      ...(config.clientsDir === undefined ? {} : { clientsDir: resolve(base, config.clientsDir) }),
    },
    redisSecrets,
    resolved: reuse?.resolved,
  });
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

/** The server's key, or undefined after a problem; with `owner`, refused when another user (not root) owns the file. */
async function readServerKey(
  path: string,
  problems: string[],
  owner: number | undefined,
): Promise<Uint8Array | undefined> {
  let key: Uint8Array;
  try {
    key = await readPrivateKeyFile('server', path);
  } catch (cause) {
    // readPrivateKeyFile's messages name the file and the expectation, never the key.
    problems.push(`serverKeyFile: ${cause instanceof Error ? cause.message : String(cause)}`);
    return undefined;
  }
  const problem = owner === undefined ? undefined : await secretFileOwnerProblem(path, owner);
  if (problem === undefined) return key;
  key.fill(0);
  problems.push(`serverKeyFile: ${problem}`);
  return undefined;
}
