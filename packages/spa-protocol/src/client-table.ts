/** The receiver's clients by client tag: each client's secrets once per key, its tags for the epochs the window spans (docs/protocol.md §6–§7). @module */
import { equalBytes } from './bytes.js';
import { computeClientTag, epochOf } from './client-keys.js';
import type { ClientSecrets } from './client-secrets.js';
import { encodeBase64url } from './encoding.js';
import {
  type Keyed,
  type Keying,
  type KeyRecord,
  type KeyState,
  type KnownKey,
  keyClients,
  PendingChecks,
} from './key-state.js';
import { checkMac2, checkMac2Keyed } from './mac2.js';
import type { ServerContext } from './server-context.js';
import { runSteps, runStepsInSlices } from './sliced-steps.js';
import { TagBuckets } from './tag-buckets.js';
import { tagText } from './tag-match.js';

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
  readonly tag: string;
  readonly state: KeyState;
}

/** Keys visited between two looks at the clock (each may make a tag per epoch: three at a start). */
const STEP = 256;

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
  /**
   * Whether `known` would give secrets for these bytes, without what asking it may do (a server's
   * cache claims a key, or waits for it): the look-ahead that maps the next new keys together asks
   * this, so `known` is asked once per key, by the build's own step. Without it, `known` is asked.
   */
  readonly knows?: ((publicKey: Uint8Array) => boolean) | undefined;
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
 * unknown. Memory: one entry per client per epoch held, ~150 bytes with its tag.
 */
export class ClientTable<C extends KnownClient> {
  readonly #ctx: ServerContext;
  readonly #keyed: readonly Keyed<C>[];
  readonly #byKey: ReadonlyMap<string, KeyState>;
  readonly #buckets = new TagBuckets<Entry<C>>();
  readonly #checks: PendingChecks<C>;
  #lo = Number.NaN;
  #hi = Number.NaN;

  /**
   * Throws SpaError WEAK_KEY for a key §1 refuses, INVALID_KEY when the agreement fails: a server
   * refuses such a configuration rather than leaving a client silently unable to knock. `built`:
   * what ClientTable.create made of `clients` (then `clients` and `previous` are not read again).
   */
  constructor(
    ctx: ServerContext,
    clients: Iterable<C>,
    previous?: ClientTable<C>,
    built?: Keying<C>,
    refused?: (client: C) => void,
  ) {
    this.#ctx = ctx;
    const keying = built ?? runSteps(keyClients(ctx, clients, ClientTable.#reusable(ctx, previous), {}));
    this.#keyed = keying.keyed;
    this.#byKey = keying.byKey;
    this.#checks = new PendingChecks(this.#keyed, refused);
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
   * The constructor's work in slices of `sliceMs` with `pause()` between them, so a receiver keeps
   * reading datagrams while a large fleet loads or reloads: keys the previous table holds cost a
   * lookup, but 10,000 lookups are still a slice. Same errors as the constructor.
   */
  static async create<C extends KnownClient>(
    ctx: ServerContext,
    clients: readonly C[],
    options: TableBuild<C> = {},
  ): Promise<ClientTable<C>> {
    const { pause, sliceMs = 10, now = () => performance.now() } = options;
    const steps = keyClients(ctx, clients, ClientTable.#reusable(ctx, options.previous), options);
    const built = await runStepsInSlices(steps, pause, sliceMs, now);
    return new ClientTable(ctx, clients, options.previous, built, options.refused);
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
    runSteps(this.#advancing(lo, hi));
  }

  /**
   * advance in slices of `sliceMs` with `pause()` between them, for a table not yet in use (a
   * reload's, before the swap): a fleet's tags are tens of thousands of entries, and a datagram read
   * meanwhile goes to the table in force. Until this resolves the table holds only some of the tags.
   */
  async advanceInSlices(
    nowMs: number,
    pastMs: number,
    futureMs: number,
    pause: () => Promise<void>,
    sliceMs = 10,
    now: () => number = () => performance.now(),
  ): Promise<void> {
    const lo = epochOf(nowMs - pastMs);
    const hi = epochOf(nowMs + futureMs);
    if (lo === this.#lo && hi === this.#hi) return;
    await runStepsInSlices(this.#advancing(lo, hi), pause, sliceMs, now);
  }

  /**
   * advance's work, yielding every STEP keys. Key by key, not epoch by epoch: each key's tags are
   * replaced once, by one array of exactly the epochs held, not grown by one epoch at a time.
   */
  *#advancing(lo: number, hi: number): Generator<undefined, void> {
    if (this.#buckets.size > 0) this.#buckets.dropOutside(lo, hi);
    const made: (number | string)[] = [];
    let visited = 0;
    for (const { client, state } of this.#keyed) {
      if (++visited % STEP === 0) yield undefined;
      made.length = 0;
      if (state.check !== 'refused') {
        for (let epoch = lo; epoch <= hi; epoch++) {
          if (epoch >= this.#lo && epoch <= this.#hi) continue; // already held
          // A rebuilt table finds the tags of unchanged keys made already: a reload costs no HMAC.
          let tag = state.tags.get(epoch);
          if (tag === undefined) {
            tag = tagText(computeClientTag(this.#ctx.backend, state.secrets.tagKey, epoch));
            made.push(epoch, tag);
          }
          this.#buckets.add({ tag, client, epoch, macKey: state.secrets.macKey, state });
        }
      }
      state.tags.hold(lo, hi, made);
    }
    this.#lo = lo;
    this.#hi = hi;
  }

  /** The epochs the last advance held, as `lo..hi`: for one table, heldTags() changes only with it. */
  get heldEpochs(): string {
    return `${this.#lo}..${this.#hi}`;
  }

  /**
   * Every tag held now (each client, each epoch held), as tagText gives it: for a receiver that
   * filters on them ahead of lookup. The texts themselves, not bytes made from them: 30,000 arrays
   * made at once, at every epoch and reload, would outlive the slices the caller encodes them in.
   */
  heldTags(): string[] {
    const tags: string[] = [];
    // A refused key's tags leave with the next sync; a pending key's stay: its datagrams get it checked.
    for (const entry of this.#buckets.entries()) if (entry.state.check !== 'refused') tags.push(entry.tag);
    return tags;
  }

  /**
   * The client whose tag the datagram carries at offset 4, or undefined. Call advance first. No
   * allocation, no hashing: the cost of an unknown tag is one Map miss. The tag is compared in full.
   */
  lookup(datagram: Uint8Array): TaggedClient<C> | undefined {
    const entry = this.#buckets.find(datagram);
    // A key whose subgroup check was deferred gets it here, before its mac2 key or its key is used.
    return entry && this.#checks.confirm(entry) ? entry : undefined;
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
}
