/** One configured client as the daemon runs on it, resolved from its ClientConfig; where its key is configured is named only when asked. @module */
import { type ClientConfig, parseIsoDate } from 'spa-config/server-config';
import { nodeBackend } from 'spa-node';
import { computeKeyId, normaliseNetwork, parseClientPublicKeyDeferred } from 'spa-protocol';
import { keyFieldOf } from './load-clients.js';
import type { ResolvedClient } from './resolved-config.js';

const NO_NETWORKS: readonly string[] = Object.freeze([]);

/*
 * A class, not an object literal, for its keyField getter: a problem with a key (§1's check, after the
 * load) is rare, and the field's name made for each of a fleet's clients was a rope of ten nodes,
 * kept with the table and copied by the collector at each start. A spread or a JSON copy of one
 * has no keyField: nothing makes either today.
 */
export class LoadedClient implements ResolvedClient {
  readonly name: string;
  readonly publicKey: Uint8Array;
  readonly keyId: Uint8Array;
  readonly keyIdHex: string;
  readonly services: readonly string[];
  readonly maxDurationSeconds: number;
  readonly sourceNetworks: readonly string[];
  readonly allowSourceAddress: boolean;
  readonly oneShot: boolean;
  readonly expiresAtMs: number | undefined;
  readonly #source: ClientConfig;

  /** Throws as parseClientPublicKeyDeferred does for a key that fails §1's byte checks. */
  constructor(client: ClientConfig, serverMaxDuration: number) {
    this.#source = client;
    this.name = client.name;
    this.publicKey = parseClientPublicKeyDeferred(client.publicKey);
    this.keyId = computeKeyId(nodeBackend, this.publicKey);
    this.keyIdHex = Buffer.from(this.keyId.buffer, this.keyId.byteOffset, this.keyId.byteLength).toString(
      'hex',
    );
    // A fleet's clients share their template's arrays (spa-config's ClientShapes): one service and
    // no network need no copy, and 10,000 copies are garbage a start collects.
    this.services = client.services.length === 1 ? client.services : [...new Set(client.services)];
    this.maxDurationSeconds = client.maxDuration ?? serverMaxDuration;
    this.sourceNetworks =
      client.sourceNetworks.length === 0 ? NO_NETWORKS : client.sourceNetworks.map(normaliseNetwork);
    this.allowSourceAddress = client.allowSourceAddress;
    this.oneShot = client.oneShot;
    this.expiresAtMs = client.expires === undefined ? undefined : parseIsoDate(client.expires);
  }

  /** `clients[2].publicKey`, `clients.d/bob.json: publicKey`; by name for a client loaded elsewhere. */
  get keyField(): string {
    return keyFieldOf(this.#source) ?? `client "${this.name}": publicKey`;
  }
}
