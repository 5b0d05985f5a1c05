/** Checks across clients: known services, durations within the server's bound, unique names and keys. @module */
import { parseClientPublicKeyDeferred } from 'spa-protocol';

/** What the cross checks need of a client, wherever it was configured (server.json or authorized keys). */
export interface ClientEntry {
  readonly name: string;
  readonly publicKey: string;
  readonly services: readonly string[];
  readonly maxDuration?: number | undefined;
  /** Where it came from, for "also defined at ..." messages: `clients[0]`, `authorized_keys:3`. */
  readonly where: string;
}

export interface ClientConflict {
  /** Index into the list given. */
  readonly index: number;
  /** Path below that client: ['services', 1], ['name'], ... */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Every problem that only shows when a client is seen together with the services, the server's
 * maxDuration and the other clients. Two clients with one key would share one key id (§1.1).
 */
export function findClientConflicts(
  clients: readonly ClientEntry[],
  serviceNames: readonly string[],
  maxDuration: number,
): ClientConflict[] {
  const conflicts = new ClientConflicts(serviceNames, maxDuration);
  clients.forEach((client, index) => {
    conflicts.add(client, client.where, index);
  });
  return conflicts.found;
}

/**
 * findClientConflicts one client at a time, for a caller that gives up its turn between clients (a
 * server loading 10,000 of them on its packet path's thread).
 */
export class ClientConflicts {
  /** The problems found so far, in the order the clients were added. */
  readonly found: ClientConflict[] = [];
  readonly #serviceNames: readonly string[];
  readonly #services: ReadonlySet<string>;
  readonly #maxDuration: number;
  readonly #names = new Map<string, string>();
  readonly #keys = new Map<string, string>();

  constructor(serviceNames: readonly string[], maxDuration: number) {
    this.#serviceNames = serviceNames;
    this.#services = new Set(serviceNames);
    this.#maxDuration = maxDuration;
  }

  /** Checks the client at `index` of the caller's list, configured at `where`, against those added before. */
  add(client: Omit<ClientEntry, 'where'>, where: string, index: number): void {
    const conflicts = this.found;
    for (const [i, service] of client.services.entries()) {
      if (!this.#services.has(service)) {
        const names = this.#serviceNames;
        const known = names.length > 0 ? ` (services are: ${names.join(', ')})` : '';
        conflicts.push({ index, path: ['services', i], message: `unknown service "${service}"${known}` });
      }
    }
    if (client.maxDuration !== undefined && client.maxDuration > this.#maxDuration) {
      conflicts.push({
        index,
        path: ['maxDuration'],
        message: `${client.maxDuration} is more than the server's maxDuration (${this.#maxDuration})`,
      });
    }
    const sameName = this.#names.get(client.name);
    if (sameName !== undefined) {
      conflicts.push({
        index,
        path: ['name'],
        message: `duplicate client name "${client.name}" (also ${sameName})`,
      });
    } else this.#names.set(client.name, where);
    const key = canonicalKey(client.publicKey);
    if (key === undefined) return;
    const sameKey = this.#keys.get(key);
    if (sameKey !== undefined) {
      conflicts.push({
        index,
        path: ['publicKey'],
        message: `same key as ${sameKey}: every client needs its own key`,
      });
    } else this.#keys.set(key, `${where} ("${client.name}")`);
  }
}

/**
 * The decoded key as a one-byte string (a char per byte), so that a trailing comment does not make
 * one key look like two. Not hex built a digit pair at a time: that string is a rope of 32 pieces,
 * flattened at its first lookup, and 10,000 of them were most of a fleet's cross-client check.
 */
function canonicalKey(text: string): string | undefined {
  // Every client's key at every reload: a fleet's unchanged key texts cost a lookup, not a decode.
  const known = canonical.get(text);
  if (known !== undefined) return known;
  let bytes: Uint8Array;
  try {
    bytes = parseClientPublicKeyDeferred(text);
  } catch {
    return undefined; // already reported where the key itself is checked
  }
  const key = String.fromCharCode.apply(null, bytes as unknown as number[]);
  if (canonical.size >= MAX_REMEMBERED) canonical.delete(canonical.keys().next().value!);
  canonical.set(text, key);
  return key;
}

/** Valid key texts seen, by text; bounded (the oldest is forgotten), as many as a configuration holds. */
const canonical = new Map<string, string>();
const MAX_REMEMBERED = 131_072;
