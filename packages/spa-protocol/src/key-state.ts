/** One configured key's state in a client table: its secrets, its tags, and §1's subgroup check, which may come after load (docs/protocol.md §1). @module */
import { type ClientSecrets, checkedClientSecrets, provisionalClientSecrets } from './client-keys.js';
import { isWeakEd25519PublicKey } from './ed25519-checks.js';
import { knownPrimeOrderVerdict } from './ed25519-subgroup.js';
import type { ServerContext } from './server-context.js';

/**
 * `pending`: the key passed the byte checks and its secrets are derived, but its subgroup check is
 * still to come, so nothing derived from it is trusted yet; `refused`: the check failed.
 */
export type SubgroupCheck = 'passed' | 'pending' | 'refused';

/** What one key costs to derive, kept across rebuilds while the key stays configured. */
export interface KeyState {
  readonly secrets: ClientSecrets;
  /** Its tags by epoch, for the epochs the last advance held. */
  readonly tags: Map<number, Uint8Array>;
  /** Its mac2 HMAC with the key prepared, made on the first datagram that carries one of its tags. */
  mac2?: (data: Uint8Array) => Uint8Array;
  check: SubgroupCheck;
}

/**
 * The state of a key no earlier table held. `known`: secrets from a server's authenticated key
 * cache, for a key that passed §1 when they were stored. `defer`: leave the subgroup check (a
 * millisecond or more of pure-JS arithmetic per key) to confirmKey; a key whose verdict is already
 * known costs nothing either way. Throws WEAK_KEY or INVALID_KEY as checkedClientSecrets does.
 */
export function newKeyState(
  ctx: ServerContext,
  publicKey: Uint8Array,
  id: string,
  known: ClientSecrets | undefined,
  defer: boolean,
): KeyState {
  if (known) return { secrets: known, tags: new Map(), check: 'passed' };
  if (!defer || knownPrimeOrderVerdict(publicKey) !== undefined) {
    return { secrets: checkedClientSecrets(ctx, publicKey, id), tags: new Map(), check: 'passed' };
  }
  return { secrets: provisionalClientSecrets(ctx, publicKey, id), tags: new Map(), check: 'pending' };
}

/** Makes a pending key's subgroup check; true when the key passed §1 (now or before). */
export function confirmKey(state: KeyState, publicKey: Uint8Array): boolean {
  if (state.check === 'pending') state.check = isWeakEd25519PublicKey(publicKey) ? 'refused' : 'passed';
  return state.check === 'passed';
}

/** The keys of one table whose subgroup check was left for later, checked in table order. */
export class PendingChecks<C extends { readonly publicKey: Uint8Array }> {
  readonly #keys: readonly { readonly client: C; readonly state: KeyState }[];
  readonly #refused: ((client: C) => void) | undefined;
  #next = 0;

  constructor(
    keyed: readonly { readonly client: C; readonly state: KeyState }[],
    refused: ((client: C) => void) | undefined,
  ) {
    this.#keys = keyed.filter((k) => k.state.check === 'pending');
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
      this.confirm(keyed);
      if (now() - started >= budgetMs) break;
    }
    return this.left;
  }

  get left(): number {
    let left = 0;
    for (let i = this.#next; i < this.#keys.length; i++) if (this.#keys[i]!.state.check === 'pending') left++;
    return left;
  }
}
