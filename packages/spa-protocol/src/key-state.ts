/** One configured key's state in a client table: its secrets, its tags, and §1's subgroup check, which may come after load (docs/protocol.md §1). @module */
import { checkedClientSecrets, provisionalClientSecrets } from './client-keys.js';
import type { ClientSecrets } from './client-secrets.js';
import { failsCheapKeyChecks, isWeakEd25519PublicKey } from './ed25519-checks.js';
import { knownPrimeOrderVerdict } from './ed25519-subgroup.js';
import { encodeBase64url } from './encoding.js';
import { EpochTags } from './epoch-tags.js';
import { ERROR_CODES, SpaError } from './errors.js';
import { uncheckedEd25519PublicToX25519Many } from './montgomery.js';
import type { ServerContext } from './server-context.js';

/**
 * `pending`: the key passed the byte checks and its secrets are derived, but its subgroup check is
 * still to come, so nothing derived from it is trusted yet; `refused`: the check failed.
 */
export type SubgroupCheck = 'passed' | 'pending' | 'refused';

/** What a key cache keeps of a key: its bytes, its secrets, its subgroup check so far. */
export interface KeyRecord {
  readonly publicKey: Uint8Array;
  readonly secrets: ClientSecrets;
  readonly check: SubgroupCheck;
}

/** What one key costs to derive, kept across rebuilds while the key stays configured. */
export interface KeyState extends KeyRecord {
  /** Its tags by epoch, for the epochs the last advance held. */
  readonly tags: EpochTags;
  /** Its mac2 HMAC with the key prepared, made on the first datagram that carries one of its tags. */
  mac2?: (data: Uint8Array, length?: number) => Uint8Array;
  check: SubgroupCheck;
}

/**
 * A key's secrets derived earlier for these exact key bytes and this server key (a server's
 * authenticated key cache), and whether the key had passed §1's subgroup check then. Secrets of a
 * key not yet checked are trusted only once the check passes, as freshly derived ones are.
 */
export interface KnownKey {
  readonly secrets: ClientSecrets;
  readonly checked: boolean;
}

/**
 * The state of a key no earlier table held. `known`: what a server's key cache holds for it, which
 * spares the key agreement (and the subgroup check of a key that passed it). `defer`: leave the
 * subgroup check (a millisecond or more of pure-JS arithmetic per key) to confirmKey; a key whose
 * verdict is already known costs nothing either way. Throws WEAK_KEY or INVALID_KEY as
 * checkedClientSecrets does.
 */
export function newKeyState(
  ctx: ServerContext,
  publicKey: Uint8Array,
  id: string,
  known: KnownKey | undefined,
  defer: boolean,
  /** The key's Montgomery u, when made for a batch of keys (keyClients). */
  montgomeryU?: Uint8Array,
): KeyState {
  if (known) return knownKeyState(publicKey, id, known, defer);
  if (!defer || knownPrimeOrderVerdict(publicKey) !== undefined) {
    return {
      publicKey,
      secrets: checkedClientSecrets(ctx, publicKey, id),
      tags: new EpochTags(),
      check: 'passed',
    };
  }
  return {
    publicKey,
    secrets: provisionalClientSecrets(ctx, publicKey, id, montgomeryU),
    tags: new EpochTags(),
    check: 'pending',
  };
}

function knownKeyState(publicKey: Uint8Array, id: string, known: KnownKey, defer: boolean): KeyState {
  const state: KeyState = {
    publicKey,
    secrets: known.secrets,
    tags: new EpochTags(),
    check: known.checked ? 'passed' : 'pending',
  };
  if (state.check === 'passed') return state;
  // The byte checks cost nanoseconds: made again rather than taken from the file.
  const weak =
    failsCheapKeyChecks(publicKey) ||
    ((!defer || knownPrimeOrderVerdict(publicKey) !== undefined) && !confirmKey(state, publicKey));
  if (weak) throw new SpaError(ERROR_CODES.weakKey, `client key ${id} is weak (docs/protocol.md §1)`);
  return state;
}

/** A client with its key's state: clients sharing a key share one state. */
export type Keyed<C extends { readonly publicKey: Uint8Array }> = {
  readonly client: C;
  readonly state: KeyState;
};

/** Each client with its key's state, and the states by key (base64url of the key). */
export interface Keying<C extends { readonly publicKey: Uint8Array }> {
  readonly keyed: readonly Keyed<C>[];
  readonly byKey: ReadonlyMap<string, KeyState>;
}

/** Clients visited between two yields. */
const KEYING_STEP = 256;

/**
 * Each client's key state: `reuse`'s (a previous table's), or one made by newKeyState. Yields after
 * each new key (an agreement, maybe a subgroup check) and every KEYING_STEP clients, so a caller
 * can pause: reusing 10,000 keys is still a few milliseconds of lookups.
 */
export function* keyClients<C extends { readonly publicKey: Uint8Array }>(
  ctx: ServerContext,
  clients: Iterable<C>,
  reuse: ReadonlyMap<string, KeyState> | undefined,
  options: {
    readonly known?: ((publicKey: Uint8Array) => KnownKey | undefined) | undefined;
    readonly knows?: ((publicKey: Uint8Array) => boolean) | undefined;
    readonly deferSubgroupCheck?: boolean;
  },
): Generator<undefined, Keying<C>> {
  const defer = !!options.deferSubgroupCheck;
  const byKey = new Map<string, KeyState>();
  const keyed: Keyed<C>[] = [];
  const list = Array.isArray(clients) ? (clients as readonly C[]) : [...clients];
  // New keys' Montgomery u, made MAP_BATCH at a time (one field inversion each batch), by key id.
  const mapped = new Map<string, Uint8Array>();
  let mappedTo = 0;
  const isNew = (id: string, publicKey: Uint8Array): boolean =>
    !byKey.has(id) &&
    !reuse?.has(id) &&
    (options.knows ? !options.knows(publicKey) : options.known?.(publicKey) === undefined);
  // Each key's text once: the look-ahead names the keys it maps before the loop reaches them.
  const ids: string[] = new Array(list.length);
  const idAt = (i: number): string => (ids[i] ??= encodeBase64url(list[i]!.publicKey));
  for (let i = 0; i < list.length; i++) {
    const client = list[i]!;
    const id = idAt(i);
    let state = byKey.get(id) ?? reuse?.get(id);
    if (!state) {
      const known = options.known?.(client.publicKey);
      // Only the deferred path takes a u: the other checks the key whole before it maps it.
      if (defer && !known && i >= mappedTo) mappedTo = mapAhead(list, i, idAt, isNew, mapped);
      state = newKeyState(ctx, client.publicKey, id, known, defer, mapped.get(id));
      mapped.delete(id);
      yield undefined;
    }
    byKey.set(id, state);
    keyed.push({ client, state });
    if (keyed.length % KEYING_STEP === 0) yield undefined;
  }
  return { keyed, byKey };
}

/** New keys mapped to Montgomery form together: ~0.3 ms of field arithmetic, within one slice. */
const MAP_BATCH = 64;

/** Maps the next MAP_BATCH new keys from `from` into `mapped`; returns the index after the last one looked at. */
function mapAhead<C extends { readonly publicKey: Uint8Array }>(
  list: readonly C[],
  from: number,
  idAt: (i: number) => string,
  isNew: (id: string, publicKey: Uint8Array) => boolean,
  mapped: Map<string, Uint8Array>,
): number {
  const ids: string[] = [];
  const keys: Uint8Array[] = [];
  let i = from;
  for (; i < list.length && keys.length < MAP_BATCH; i++) {
    const { publicKey } = list[i]!;
    const id = idAt(i);
    if (!isNew(id, publicKey) || mapped.has(id)) continue;
    ids.push(id);
    keys.push(publicKey);
  }
  uncheckedEd25519PublicToX25519Many(keys).forEach((u, k) => {
    if (u) mapped.set(ids[k]!, u);
  });
  return i;
}

/** Subgroup checks made in this process: a count of pending keys stays valid while this does not move. */
let checksMade = 0;

/** Makes a pending key's subgroup check; true when the key passed §1 (now or before). */
export function confirmKey(state: KeyState, publicKey: Uint8Array): boolean {
  if (state.check === 'pending') {
    state.check = isWeakEd25519PublicKey(publicKey) ? 'refused' : 'passed';
    checksMade++;
  }
  return state.check === 'passed';
}

/** The keys of one table whose subgroup check was left for later, checked in table order. */
export class PendingChecks<C extends { readonly publicKey: Uint8Array }> {
  readonly #keys: readonly { readonly client: C; readonly state: KeyState }[];
  readonly #refused: ((client: C) => void) | undefined;
  #next = 0;
  /** Pending keys from #next on, exact while checksMade is #countedAt. */
  #left: number;
  #countedAt = checksMade;

  constructor(
    keyed: readonly { readonly client: C; readonly state: KeyState }[],
    refused: ((client: C) => void) | undefined,
  ) {
    this.#keys = keyed.filter((k) => k.state.check === 'pending');
    this.#left = this.#keys.length;
    this.#refused = refused;
  }

  /** True when the key passed §1; a pending key is checked now, and `refused` told when it fails. */
  confirm(keyed: { readonly client: C; readonly state: KeyState }): boolean {
    if (keyed.state.check !== 'pending') return keyed.state.check === 'passed';
    const passed = confirmKey(keyed.state, keyed.client.publicKey);
    if (!passed) this.#refused?.(keyed.client);
    return passed;
  }

  /** Checks pending keys for up to `budgetMs` (at least one); returns how many are left. */
  run(budgetMs: number, now: () => number): number {
    const started = now();
    while (this.#next < this.#keys.length) {
      const keyed = this.#keys[this.#next++]!;
      if (keyed.state.check !== 'pending') continue; // a datagram got there first
      const counted = this.#countedAt === checksMade;
      this.confirm(keyed);
      this.#left--;
      if (counted) this.#countedAt = checksMade; // this check alone moved the count
      if (now() - started >= budgetMs) break;
    }
    return this.left;
  }

  /**
   * A key checked elsewhere (its datagram, in this table or in another sharing its state during a
   * reload) is found by one scan after it, not by a scan per slice: that was O(n²) over a fleet.
   */
  get left(): number {
    if (this.#countedAt !== checksMade) {
      let left = 0;
      for (let i = this.#next; i < this.#keys.length; i++)
        if (this.#keys[i]!.state.check === 'pending') left++;
      this.#left = left;
      this.#countedAt = checksMade;
    }
    return this.#left;
  }
}
