/** One configured client as the daemon runs on it, resolved from its ClientConfig; where its key is configured is named only when asked. @module */
import { type ClientConfig, parseIsoDate } from 'spa-config/server-config';
import { nodeBackend } from 'spa-node';
import { computeKeyId, normaliseNetwork, parseClientPublicKeyDeferred } from 'spa-protocol';
import { keyFieldOf } from './load-clients.js';

const NO_NETWORKS: readonly string[] = Object.freeze([]);

/*
 * A class, not an object literal, for its keyField getter: a problem with a key (§1's check, after the
 * load) is rare, and the field's name made for each of a fleet's clients was a rope of ten nodes,
 * kept with the table and copied by the collector at each start. A spread or a JSON copy of one
 * has no keyField: nothing makes either today.
 */
export class LoadedClient {
  readonly name: string;
  /**
   * 32-byte Ed25519 public key. Passed §1's byte checks; its subgroup check is made by the client
   * table before anything derived from it is trusted (at its first knock, or in the background).
   */
  readonly publicKey: Uint8Array;
  /** docs/protocol.md §1.1, in hex: for maps and logs. */
  readonly keyIdHex: string;
  /** Service names this client may open (keys of ResolvedConfig.services). */
  readonly services: readonly string[];
  /** Upper bound for this client's grants, ≤ the server's maxDurationSeconds. */
  readonly maxDurationSeconds: number;
  /** Normalised CIDRs the datagram must come from; empty means any. */
  readonly sourceNetworks: readonly string[];
  /** Accept knocks naming no address (the datagram source is opened); off unless configured. */
  readonly allowSourceAddress: boolean;
  /** Each grant admits one new TCP connection (nftables; single TCP ports, checked by spa-config). */
  readonly oneShot: boolean;
  /** Milliseconds since the epoch after which this key is refused; undefined for never. */
  readonly expiresAtMs: number | undefined;
  readonly #source: ClientConfig;

  /** Throws as parseClientPublicKeyDeferred does for a key that fails §1's byte checks. */
  constructor(client: ClientConfig, serverMaxDuration: number) {
    this.#source = client;
    this.name = client.name;
    this.publicKey = parseClientPublicKeyDeferred(client.publicKey);
    const keyId = computeKeyId(nodeBackend, this.publicKey);
    this.keyIdHex = Buffer.from(keyId.buffer, keyId.byteOffset, keyId.byteLength).toString('hex');
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

  /**
   * Where the key is configured, as a problem names it: `clients[2].publicKey`,
   * `clients.d/bob.json: publicKey`; by name for a client loaded elsewhere.
   */
  get keyField(): string {
    return keyFieldOf(this.#source) ?? `client "${this.name}": publicKey`;
  }
}
