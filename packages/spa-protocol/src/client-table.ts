/** The receiver's clients by client tag: each client's secrets once per key, its tags for the epochs the window spans (docs/protocol.md §6–§7). @module */
import { equalBytes } from './bytes.js';
import { type ClientSecrets, computeClientTag, epochOf } from './client-keys.js';
import { CLIENT_TAG_OFFSET } from './constants.js';
import { encodeBase64url } from './encoding.js';
import { type KeyRecord, type KeyState, type KnownKey, newKeyState, PendingChecks } from './key-state.js';
import { checkMac2, checkMac2Keyed } from './mac2.js';
import type { ServerContext } from './server-context.js';
import { bucketOf, sameTag } from './tag-match.js';

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

type Keyed<C extends KnownClient> = { readonly client: C; readonly state: KeyState };

/** How ClientTable.create spreads its work and what it may skip. */
export interface TableBuild<C extends KnownClient> {
  /** The table in force: its keys cost nothing. */
  readonly previous?: ClientTable<C> | undefined;
  /**
   * Secrets derived earlier for these key bytes and this server key (a server's authenticated key
   * cache), with the key's §1 verdict then: no key agreement is made for them. Undefined for a key
   * it does not know.
   */
  readonly known?: ((publicKey: Uint8Array) => KnownKey | undefined) | undefined;
  /** §1's subgroup check of new keys after the build: at the key's first datagram or by checkPending. */
  readonly deferSubgroupCheck?: boolean;
  /** Told once of each client whose key a deferred check refused (refused from then on). */
  readonly refused?: ((client: C) => void) | undefined;
  /** Lets the caller's event loop run (setImmediate); without it the build runs in one piece. */
  readonly pause?: (() => Promise<void>) | undefined;
  /** Work between two pauses, in ms (default 10). */
  readonly sliceMs?: number;
  readonly now?: () => number;
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
  /** By the tag's first four bytes; a bucket is almost always one entry. */
  readonly #buckets = new Map<number, Entry<C> | Entry<C>[]>();
  readonly #checks: PendingChecks<C>;
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
    prepared?: ReadonlyMap<string, KeyState>,
    refused?: (client: C) => void,
  ) {
    this.#ctx = ctx;
    const reuse = ClientTable.#reusable(ctx, previous);
    const byKey = new Map<string, KeyState>();
    const keyed: Keyed<C>[] = [];
    for (const client of clients) {
      const id = encodeBase64url(client.publicKey);
      const state =
        byKey.get(id) ??
        reuse?.get(id) ??
        prepared?.get(id) ??
        newKeyState(ctx, client.publicKey, id, undefined, false);
      byKey.set(id, state);
      keyed.push({ client, state });
    }
    this.#keyed = keyed;
    this.#byKey = byKey;
    this.#checks = new PendingChecks(keyed, refused);
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
    const prepared = new Map<string, KeyState>();
    let sliceStart = now();
    for (const client of clients) {
      const id = encodeBase64url(client.publicKey);
      if (reuse?.has(id) || prepared.has(id)) continue;
      prepared.set(
        id,
        newKeyState(ctx, client.publicKey, id, known?.(client.publicKey), !!options.deferSubgroupCheck),
      );
      if (pause && now() - sliceStart >= sliceMs) {
        await pause();
        sliceStart = now();
      }
    }
    return new ClientTable(ctx, clients, previous, prepared, options.refused);
  }

  /** Makes deferred subgroup checks for up to `budgetMs` (at least one); returns how many are left. */
  checkPending(budgetMs: number, now: () => number = () => performance.now()): number {
    return this.#checks.run(budgetMs, now);
  }

  /** Keys whose subgroup check is still to come. */
  get pendingChecks(): number {
    return this.#checks.left;
  }

  get size(): number {
    return this.#keyed.length;
  }

  /** The secrets of one configured key (tests, tools); undefined for a key not in the table. */
  secretsOf(publicKey: Uint8Array): ClientSecrets | undefined {
    return this.#byKey.get(encodeBase64url(publicKey))?.secrets;
  }

  /** Each configured key once, with its secrets and its subgroup check so far: what a key cache keeps. */
  keys(): Iterable<KeyRecord> {
    return this.#byKey.values();
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
        if (state.check === 'refused') continue;
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
      // A refused key's tags leave with the next sync; a pending key's stay: its datagrams get it checked.
      if (Array.isArray(held)) {
        for (const entry of held) if (entry.state.check !== 'refused') tags.push(entry.tag);
      } else if (held.state.check !== 'refused') tags.push(held.tag);
    }
    return tags;
  }

  /**
   * The client whose tag the datagram carries at offset 4, or undefined. Call advance first. No
   * allocation, no hashing: the cost of an unknown tag is one Map miss. The tag is compared in full.
   */
  lookup(datagram: Uint8Array): TaggedClient<C> | undefined {
    const found = this.#buckets.get(bucketOf(datagram, CLIENT_TAG_OFFSET));
    let entry = Array.isArray(found) ? undefined : found;
    if (Array.isArray(found)) for (const e of found) if (sameTag(e.tag, datagram)) entry = e;
    // A key whose subgroup check was deferred gets it here, before its mac2 key or its key is used.
    return entry && sameTag(entry.tag, datagram) && this.#checks.confirm(entry) ? entry : undefined;
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
