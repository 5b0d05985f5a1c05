/** Every configured client: server.json's, the authorized-keys file's and the clients directory's, checked together. @module */
import { resolve } from 'node:path';
import {
  type ClientConfig,
  ClientConflicts,
  findOneShotConflicts,
  formatPath,
  type ServerConfig,
} from 'spa-config/server-config';
import { isServerError, SERVER_ERROR_CODES } from '../shared/server-error.js';
import { Turns } from '../shared/turns.js';
import { optionOfField, parseAuthorizedKeys } from './authorized-keys.js';
import type { ClientFileMemo } from './client-file-memo.js';
import { readClientsDir } from './clients-dir.js';

/** Room for about 100,000 clients. */
export const MAX_AUTHORIZED_KEYS_BYTES = 16 << 20;

/**
 * Where each loaded client came from, for a problem that a check made after the load (§1's subgroup
 * check, in the daemon's client table) finds in its key. The field's name is made only when asked:
 * for one client in 10,000, not for each at every reload.
 */
const keyFields = new WeakMap<ClientConfig, { readonly where: string; readonly origin: Origin }>();

/** `clients[2].publicKey`, `keys:4: key`, `clients.d/bob.json: publicKey`; undefined for a client not loaded here. */
export function keyFieldOf(client: ClientConfig): string | undefined {
  const from = keyFields.get(client);
  return from && fieldOf(from.where, from.origin, ['publicKey']);
}

/** Where a client came from, which decides how its fields are named in a problem. */
type Origin = 'json' | 'keys' | 'dir';

/** Reads a bounded text file, throwing CONFIG_INVALID with one problem when it cannot. */
export type ReadBounded = (path: string, limit: number, what: string) => Promise<string>;

/**
 * server.json's clients, then the authorized-keys file's, then the directory's (by file name),
 * checked together for names, keys and services: a duplicate is one line naming both places.
 */
export async function loadClients(
  config: ServerConfig,
  base: string,
  problems: string[],
  readBounded: ReadBounded,
  files?: ClientFileMemo,
  /** Told each client's key text as soon as it is read (KeyCache.offer). */
  offer?: (publicKeyText: string) => void,
  /** Told the keys of clientsDir's files that `files` vouches for, which are not read again. */
  offerRemembered?: (publicKeyText: string) => void,
): Promise<ClientConfig[]> {
  const wheres: string[] = config.clients.map((_, i) => `clients[${i}]`);
  const origins: Origin[] = config.clients.map(() => 'json');
  const clients = [...config.clients];
  config.clients.forEach((c, i) => {
    keyFields.set(c, { where: wheres[i]!, origin: 'json' });
  });
  for (const client of config.clients) offer?.(client.publicKey);
  const add = (client: ClientConfig, where: string, origin: Origin): void => {
    keyFields.set(client, { where, origin });
    wheres.push(where);
    origins.push(origin);
    clients.push(client);
  };
  if (config.authorizedKeysFile !== undefined) {
    const path = resolve(base, config.authorizedKeysFile);
    try {
      const text = await readBounded(path, MAX_AUTHORIZED_KEYS_BYTES, 'authorized keys file');
      const parsed = parseAuthorizedKeys(text, path);
      problems.push(...parsed.problems);
      for (const key of parsed.keys) {
        add(key.client, `${path}:${key.line}`, 'keys');
        offer?.(key.client.publicKey);
      }
    } catch (cause) {
      if (!isServerError(cause, SERVER_ERROR_CODES.configInvalid)) throw cause;
      problems.push(...cause.problems.map((p) => `authorizedKeysFile: ${p}`));
    }
  }
  // What follows runs over every client: in slices, so that a knock that comes during a reload
  // waits for one step of it, not for the sum.
  const turns = new Turns();
  if (config.clientsDir !== undefined) {
    const dir = await readClientsDir(resolve(base, config.clientsDir), files, offer, offerRemembered);
    problems.push(...dir.problems);
    for (const file of dir.clients) {
      add(file.client, file.path, 'dir');
      if (turns.due()) await turns.pause();
    }
  }
  // In a fleet the race guard cannot act on a copy that another gateway granted first: source mode
  // would let whoever copies a knock keep what it opened (docs/fleet.md).
  if (config.replay.store === 'redis') {
    clients.forEach((client, i) => {
      if (!client.allowSourceAddress) return;
      problems.push(
        `${fieldOf(wheres[i]!, origins[i]!, ['allowSourceAddress'])}: not with replay.store "redis" (a copy of a source-mode knock granted by another gateway cannot be revoked)`,
      );
    });
  }
  const conflicts = new ClientConflicts(Object.keys(config.services), config.maxDuration);
  for (const [i, client] of clients.entries()) {
    conflicts.add(client, wheres[i]!, i);
    if (turns.due()) await turns.pause();
  }
  // The JSON clients were cross-checked by the schema already; report only what the files add.
  for (const conflict of conflicts.found) {
    const origin = origins[conflict.index]!;
    if (origin === 'json') continue;
    problems.push(`${fieldOf(wheres[conflict.index]!, origin, conflict.path)}: ${conflict.message}`);
  }
  for (const conflict of findOneShotConflicts(clients, config.services, config.firewall.backend)) {
    const origin = origins[conflict.index]!;
    if (origin === 'json') continue;
    problems.push(`${fieldOf(wheres[conflict.index]!, origin, ['oneShot'])}: ${conflict.message}`);
  }
  return clients;
}

/** `clients[2].services[0]`, `keys:4: services`, `clients.d/bob.json: services[0]`. */
function fieldOf(where: string, origin: Origin, path: readonly (string | number)[]): string {
  if (origin === 'json') return `${where}.${formatPath(path)}`;
  if (origin === 'keys') return `${where}: ${optionOfField(String(path[0]))}`;
  return `${where}: ${formatPath(path)}`;
}
