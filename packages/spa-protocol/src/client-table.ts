/** The receiver's clients by client tag: each client's secrets once per key, its tags for the epochs the window spans (docs/protocol.md §6–§7). @module */
import { equalBytes } from './bytes.js';
import { type ClientSecrets, checkedClientSecrets, computeClientTag, epochOf } from './client-keys.js';
import { CLIENT_TAG_OFFSET, CLIENT_TAG_SIZE } from './constants.js';
import { encodeBase64url } from './encoding.js';
import { checkMac2, checkMac2Keyed } from './mac2.js';
import type { ServerContext } from './server-context.js';

export interface KnownClient {
  readonly publicKey: Uint8Array;
}

/** What a tag names: the client, the epoch its tag was made for, the key its mac2 must verify under. */
export interface TaggedClient<C extends KnownClient> {
  readonly client: C;
  readonly epoch: number;
  readonly macKey: Uint8Array;
}

interface Entry<C extends KnownClient> extends TaggedClient<C> {
  readonly tag: Uint8Array;
  readonly state: KeyState;
}

/** What one key costs to derive, kept across rebuilds while the key stays configured. */
interface KeyState {
  readonly secrets: ClientSecrets;
  /** Its tags by epoch, for the epochs the last advance held. */
  readonly tags: Map<number, Uint8Array>;
  /** Its mac2 HMAC with the key prepared, made on the first datagram that carries one of its tags. */
  mac2?: (data: Uint8Array) => Uint8Array;
}

interface Keyed<C extends KnownClient> {
  readonly client: C;
  readonly state: KeyState;
}

/** How ClientTable.create spreads its work and what it may skip. */
export interface TableBuild<C extends KnownClient> {
  /** The table in force: its keys cost nothing. */
  readonly previous?: ClientTable<C> | undefined;
  /**
   * Secrets derived earlier for a key that passed §1 then (a server's authenticated key cache):
   * trusted as if derived here. Undefined for a key it does not know.
   */
  readonly known?: ((publicKey: Uint8Array) => ClientSecrets | undefined) | undefined;
  /** Lets the caller's event loop run (setImmediate); without it the build runs in one piece. */
  readonly pause?: (() => Promise<void>) | undefined;
  /** Work between two pauses, in ms (default 10). */
  readonly sliceMs?: number;
  readonly now?: () => number;
}

/** The first four tag bytes as a number: a Map key that costs no allocation to read from a datagram. */
function bucketOf(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>>
    0
  );
}

/**
 * Built at load and at every reload. The secrets (one X25519 and two HKDF per key) and the tags are
 * made only for keys the previous table did not have, so reloading a fleet of 10,000 keys costs the
 * changed ones. The tags are made lazily by `advance`, for the epochs that [now − past, now + future]
 * touches (e−1, e and sometimes e+1 with the default 60 s window): a tag of any other epoch is
 * unknown. Memory: one entry (a few hundred bytes) per client per epoch held.
 */
export class ClientTable<C extends KnownClient> {
  readonly #ctx: ServerContext;
  readonly #keyed: readonly Keyed<C>[];
  readonly #byKey: ReadonlyMap<string, KeyState>;
  /** Bucketed by the tag's first four bytes; a bucket is almost always one entry. */
  readonly #buckets = new Map<number, Entry<C> | Entry<C>[]>();
  #lo = Number.NaN;
  #hi = Number.NaN;

  /**
   * Throws SpaError WEAK_KEY for a key §1 refuses, INVALID_KEY when the agreement fails: a server
   * refuses such a configuration rather than leaving a client silently unable to knock.
   */
  constructor(
    ctx: ServerContext,
    clients: Iterable<C>,
    previous?: ClientTable<C>,
    prepared?: ReadonlyMap<string, ClientSecrets>,
  ) {
    this.#ctx = ctx;
    const reuse = ClientTable.#reusable(ctx, previous);
    const byKey = new Map<string, KeyState>();
    const keyed: Keyed<C>[] = [];
    for (const client of clients) {
      const id = encodeBase64url(client.publicKey);
      let state = byKey.get(id) ?? reuse?.get(id);
      if (!state) {
        const secrets = prepared?.get(id) ?? checkedClientSecrets(ctx, client.publicKey, id);
        state = { secrets, tags: new Map() };
      }
      byKey.set(id, state);
      keyed.push({ client, state });
    }
    this.#keyed = keyed;
    this.#byKey = byKey;
  }

  /** The previous table's key states, when it was built for the same server key. */
  static #reusable<C extends KnownClient>(
    ctx: ServerContext,
    previous: ClientTable<C> | undefined,
  ): ReadonlyMap<string, KeyState> | undefined {
    return previous && equalBytes(previous.#ctx.serverPublicKey, ctx.serverPublicKey)
      ? previous.#byKey
      : undefined;
  }

  /**
   * The constructor's work for keys `previous` does not hold, in slices of `sliceMs` with `pause()`
   * between them, so a receiver keeps reading datagrams while a large fleet loads; then one
   * synchronous step that only reuses. Same errors as the constructor.
   */
  static async create<C extends KnownClient>(
    ctx: ServerContext,
    clients: readonly C[],
    options: TableBuild<C> = {},
  ): Promise<ClientTable<C>> {
    const { previous, known, pause, sliceMs = 10, now = () => performance.now() } = options;
    const reuse = ClientTable.#reusable(ctx, previous);
    const prepared = new Map<string, ClientSecrets>();
    let sliceStart = now();
    for (const client of clients) {
      const id = encodeBase64url(client.publicKey);
      if (reuse?.has(id) || prepared.has(id)) continue;
      prepared.set(id, known?.(client.publicKey) ?? checkedClientSecrets(ctx, client.publicKey, id));
      if (pause && now() - sliceStart >= sliceMs) {
        await pause();
        sliceStart = now();
      }
    }
    return new ClientTable(ctx, clients, previous, prepared);
  }

  /** Clients in the table. */
  get size(): number {
    return this.#keyed.length;
  }

  /** The secrets of one configured key (tests, tools); undefined for a key not in the table. */
  secretsOf(publicKey: Uint8Array): ClientSecrets | undefined {
    return this.#byKey.get(encodeBase64url(publicKey))?.secrets;
  }

  /**
   * Makes the tags of every epoch that [now − pastMs, now + futureMs] touches and drops the others.
   * Two compares when the epochs are the ones already held, so a receiver calls it per datagram.
   */
  advance(nowMs: number, pastMs: number, futureMs: number): void {
    const lo = epochOf(nowMs - pastMs);
    const hi = epochOf(nowMs + futureMs);
    if (lo === this.#lo && hi === this.#hi) return;
    if (this.#buckets.size > 0) this.#dropOutside(lo, hi);
    for (let epoch = lo; epoch <= hi; epoch++) {
      if (epoch >= this.#lo && epoch <= this.#hi) continue; // already held
      for (const { client, state } of this.#keyed) {
        // A rebuilt table finds the tags of unchanged keys made already: a reload costs no HMAC.
        let tag = state.tags.get(epoch);
        if (!tag) {
          tag = computeClientTag(this.#ctx.backend, state.secrets.tagKey, epoch);
          state.tags.set(epoch, tag);
        }
        this.#add({ tag, client, epoch, macKey: state.secrets.macKey, state });
      }
    }
    for (const { state } of this.#keyed) {
      for (const epoch of state.tags.keys()) if (epoch < lo || epoch > hi) state.tags.delete(epoch);
    }
    this.#lo = lo;
    this.#hi = hi;
  }

  /** The epochs the last advance held, as `lo..hi`: for one table, heldTags() changes only with it. */
  get heldEpochs(): string {
    return `${this.#lo}..${this.#hi}`;
  }

  /** Every tag held now (each client, each epoch held): for a receiver that filters on them ahead of lookup. */
  heldTags(): Uint8Array[] {
    const tags: Uint8Array[] = [];
    for (const held of this.#buckets.values()) {
      if (Array.isArray(held)) for (const entry of held) tags.push(entry.tag);
      else tags.push(held.tag);
    }
    return tags;
  }

  /**
   * The client whose tag the datagram carries at offset 4, or undefined. Call advance first. No
   * allocation, no hashing: the cost of an unknown tag is one Map miss. The tag is compared in full.
   */
  lookup(datagram: Uint8Array): TaggedClient<C> | undefined {
    const found = this.#buckets.get(bucketOf(datagram, CLIENT_TAG_OFFSET));
    if (found === undefined) return undefined;
    if (!Array.isArray(found)) return sameTag(found.tag, datagram) ? found : undefined;
    for (const entry of found) if (sameTag(entry.tag, datagram)) return entry;
    return undefined;
  }

  /**
   * §7 6 for a datagram `lookup` matched: mac2 under the tag's client key, in constant time. The key
   * is prepared once per client (lazily: a fleet's load prepares none), not once per datagram.
   */
  checkMac2(tagged: TaggedClient<C>, datagram: Uint8Array): boolean {
    const state = (tagged as Partial<Entry<C>>).state;
    if (!state) return checkMac2(this.#ctx.backend, tagged.macKey, datagram);
    state.mac2 ??= this.#ctx.backend.hmacSha256Keyed(state.secrets.macKey);
    return checkMac2Keyed(state.mac2, datagram);
  }

  #add(entry: Entry<C>): void {
    const key = bucketOf(entry.tag, 0);
    const held = this.#buckets.get(key);
    if (held === undefined) this.#buckets.set(key, entry);
    else if (Array.isArray(held)) held.push(entry);
    else this.#buckets.set(key, [held, entry]);
  }

  #dropOutside(lo: number, hi: number): void {
    for (const [key, held] of this.#buckets) {
      if (!Array.isArray(held)) {
        if (held.epoch < lo || held.epoch > hi) this.#buckets.delete(key);
        continue;
      }
      const kept = held.filter((e) => e.epoch >= lo && e.epoch <= hi);
      if (kept.length === 0) this.#buckets.delete(key);
      else this.#buckets.set(key, kept.length === 1 ? kept[0]! : kept);
    }
  }
}

/** Tags are public once sent, so a plain compare is enough; it still reads all 16 bytes. */
function sameTag(tag: Uint8Array, datagram: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < CLIENT_TAG_SIZE; i++) diff |= tag[i]! ^ datagram[CLIENT_TAG_OFFSET + i]!;
  return diff === 0;
}
