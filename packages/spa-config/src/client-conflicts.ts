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
  const conflicts: ClientConflict[] = [];
  const services = new Set(serviceNames);
  const names = new Map<string, string>();
  const keys = new Map<string, string>();
  for (const [index, client] of clients.entries()) {
    for (const [i, service] of client.services.entries()) {
      if (!services.has(service)) {
        const known = serviceNames.length > 0 ? ` (services are: ${serviceNames.join(', ')})` : '';
        conflicts.push({ index, path: ['services', i], message: `unknown service "${service}"${known}` });
      }
    }
    if (client.maxDuration !== undefined && client.maxDuration > maxDuration) {
      conflicts.push({
        index,
        path: ['maxDuration'],
        message: `${client.maxDuration} is more than the server's maxDuration (${maxDuration})`,
      });
    }
    const sameName = names.get(client.name);
    if (sameName !== undefined) {
      conflicts.push({
        index,
        path: ['name'],
        message: `duplicate client name "${client.name}" (also ${sameName})`,
      });
    } else names.set(client.name, client.where);
    const key = canonicalKey(client.publicKey);
    if (key === undefined) continue;
    const sameKey = keys.get(key);
    if (sameKey !== undefined) {
      conflicts.push({
        index,
        path: ['publicKey'],
        message: `same key as ${sameKey}: every client needs its own key`,
      });
    } else keys.set(key, `${client.where} ("${client.name}")`);
  }
  return conflicts;
}

/** Hex of the decoded key, so that a trailing comment does not make one key look like two. */
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
  let hex = '';
  for (const b of bytes) hex += HEX[b]!;
  if (canonical.size >= MAX_REMEMBERED) canonical.delete(canonical.keys().next().value!);
  canonical.set(text, hex);
  return hex;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
/** Valid key texts seen, by text; bounded (the oldest is forgotten), as many as a configuration holds. */
const canonical = new Map<string, string>();
const MAX_REMEMBERED = 131_072;
