/** The daemon's record of live grants: who owns each (address, protocol, port), until when. Compact, bounded per family, pruned in slices. @module */
import type { GrantTarget } from '../firewall/driver.js';
import { MAX_GRANTS_PER_FAMILY } from '../firewall/grant-values.js';
import type { ExpiredOwnership } from './grant-events.js';
import type { ElementState, Ownership } from './grant-ledger-views.js';
import { type GrantOwner, GrantOwners } from './grant-owners.js';
import { familyOfKey, targetKey, targetOf } from './target-key.js';

export type { ElementState, GrantOwner, Ownership };

/** Slots a prune visits per slice: a few milliseconds of work, however many grants expire at once. */
export const PRUNE_SLICE = 1024;
const NONE = -1;

/**
 * One slot per element: its key in a Map, its first owner and that owner's expiry in typed arrays;
 * further owners (rare: two clients on one address and port) in a small map of their own. About a
 * tenth of the memory of an object and a map per element. At most `maxPerFamily` elements of each
 * family (the kernel's sets hold no more). Changes are computed first (`withOwner`, `withoutOwner`)
 * and recorded only once the kernel took them (`add`, `remove`), so a failed driver call leaves the
 * ledger as the kernel is.
 */
export class GrantLedger {
  readonly maxPerFamily: number;
  readonly #slotOf = new Map<string, number>();
  readonly #keys: string[] = [];
  #owner = new Int32Array(0);
  #expiry = new Float64Array(0);
  /** Slot → owners after the first (owner index → expiry), in ownership order. */
  readonly #more = new Map<number, Map<number, number>>();
  readonly #owners = new GrantOwners();
  readonly #free: number[] = [];
  readonly #perFamily = { 4: 0, 6: 0 };
  #cursor = 0;

  constructor(maxPerFamily: number = MAX_GRANTS_PER_FAMILY) {
    this.maxPerFamily = maxPerFamily;
  }

  /** Entries held by `keyId`, expired ones included until the next prune. */
  heldBy(keyId: string): number {
    return this.#owners.heldBy(keyId);
  }

  /** Elements of `family` held (expired ones included until pruned). */
  count(family: 4 | 6): number {
    return this.#perFamily[family];
  }

  /** True when anyone holds `target`. */
  has(target: GrantTarget): boolean {
    return this.#slotOf.has(targetKey(target));
  }

  /** True when `keyId` already owns `target` (a renewal, not a new grant). */
  owns(keyId: string, target: GrantTarget): boolean {
    const slot = this.#slotOf.get(targetKey(target));
    const i = this.#owners.find(keyId);
    return slot !== undefined && i !== NONE && this.#expiryOf(slot, i) !== undefined;
  }

  /** `keyId`'s own share of `target`: its name and end; undefined when it holds none. */
  ownership(keyId: string, target: GrantTarget): Ownership | undefined {
    const slot = this.#slotOf.get(targetKey(target));
    const i = this.#owners.find(keyId);
    const expiresAtMs = slot === undefined || i === NONE ? undefined : this.#expiryOf(slot, i);
    return expiresAtMs === undefined ? undefined : { name: this.#owners.nameOf(i), expiresAtMs };
  }

  /** The element after `owner` holds `target` until at least `expiresAtMs` (an owner's grant is never shortened). */
  withOwner(owner: GrantOwner, target: GrantTarget, expiresAtMs: number): ElementState {
    const slot = this.#slotOf.get(targetKey(target));
    const mine = this.#owners.find(owner.keyId);
    const names: string[] = [];
    let latest = expiresAtMs;
    let found = false;
    if (slot !== undefined) {
      this.#each(slot, (i, exp) => {
        found ||= i === mine;
        names.push(i === mine ? owner.name : this.#owners.nameOf(i));
        latest = Math.max(latest, exp);
      });
    }
    if (!found) names.push(owner.name);
    return { target, expiresAtMs: latest, names };
  }

  /** The element after `keyId` gives `target` up; undefined when it does not hold it. */
  withoutOwner(keyId: string, target: GrantTarget): ElementState | undefined {
    const slot = this.#slotOf.get(targetKey(target));
    const mine = this.#owners.find(keyId);
    if (slot === undefined || mine === NONE || this.#expiryOf(slot, mine) === undefined) return undefined;
    const names: string[] = [];
    let latest: number | undefined;
    this.#each(slot, (i, exp) => {
      if (i === mine) return;
      names.push(this.#owners.nameOf(i));
      latest = Math.max(latest ?? exp, exp);
    });
    return { target, expiresAtMs: latest, names };
  }

  /** Records that `owner` holds `target` until `expiresAtMs` (as computed by withOwner). */
  add(owner: GrantOwner, target: GrantTarget, expiresAtMs: number): void {
    const key = targetKey(target);
    const i = this.#owners.intern(owner);
    let slot = this.#slotOf.get(key);
    if (slot === undefined) {
      slot = this.#take(key, target.family);
      this.#owner[slot] = i;
      this.#expiry[slot] = expiresAtMs;
      this.#owners.acquire(i);
      return;
    }
    const mine = this.#expiryOf(slot, i);
    const until = Math.max(expiresAtMs, mine ?? 0);
    if (mine === undefined) this.#owners.acquire(i);
    if (this.#owner[slot] === i) this.#expiry[slot] = until;
    else {
      const more = this.#more.get(slot) ?? new Map<number, number>();
      more.set(i, until);
      this.#more.set(slot, more);
    }
  }

  /** Forgets that `keyId` holds `target`. */
  remove(keyId: string, target: GrantTarget): void {
    const slot = this.#slotOf.get(targetKey(target));
    const i = this.#owners.find(keyId);
    if (slot !== undefined && i !== NONE) this.#removeOwner(slot, i);
  }

  /** Forgets a target whatever its owners (revoked outside ownership: a close of an unknown element). */
  drop(target: GrantTarget): void {
    const slot = this.#slotOf.get(targetKey(target));
    if (slot === undefined) return;
    for (const i of this.#more.get(slot)?.keys() ?? []) this.#removeOwner(slot, i);
    this.#removeOwner(slot, this.#owner[slot] as number);
  }

  /**
   * Forgets ownerships expired by `nowMs` in the next `slice` slots; a sweep goes on where the last
   * call stopped, and adds what it forgot to `expired`. Returns true when it reached the last slot
   * (the next call starts a new sweep).
   */
  prune(nowMs: number, slice = Number.POSITIVE_INFINITY, expired: ExpiredOwnership[] = []): boolean {
    const end = Math.min(this.#keys.length, this.#cursor + slice);
    const forget = (slot: number, i: number, expiresAtMs: number): void => {
      const [keyId, name] = [this.#owners.keyIdOf(i), this.#owners.nameOf(i)];
      expired.push({ keyId, name, target: targetOf(this.#keys[slot] as string), expiresAtMs });
      this.#removeOwner(slot, i);
    };
    for (let slot = this.#cursor; slot < end; slot++) {
      if (this.#owner[slot] === NONE) continue;
      const more = this.#more.get(slot);
      if (more) for (const [i, exp] of more) if (exp <= nowMs) forget(slot, i, exp);
      const first = this.#owner[slot] as number;
      if (first !== NONE && (this.#expiry[slot] as number) <= nowMs)
        forget(slot, first, this.#expiry[slot] as number);
    }
    this.#cursor = end >= this.#keys.length ? 0 : end;
    return this.#cursor === 0;
  }

  /** Every element with its owners' latest expiry and names (call prune first for an exact view). */
  *elements(): Generator<ElementState> {
    for (const [key, slot] of this.#slotOf) {
      const names: string[] = [];
      let latest = 0;
      this.#each(slot, (i, exp) => {
        names.push(this.#owners.nameOf(i));
        latest = Math.max(latest, exp);
      });
      yield { target: targetOf(key), expiresAtMs: latest, names };
    }
  }

  /** Every (owner key id, target) pair with the owner's name, for revocations by key or by service. */
  *ownerships(): Generator<{ readonly keyId: string; readonly name: string; readonly target: GrantTarget }> {
    for (const [key, slot] of this.#slotOf) {
      const owners: number[] = [];
      this.#each(slot, (i) => owners.push(i));
      for (const i of owners)
        yield { keyId: this.#owners.keyIdOf(i), name: this.#owners.nameOf(i), target: targetOf(key) };
    }
  }

  /** Forgets everything (flush); returns how many elements were held. */
  clear(): number {
    const count = this.#slotOf.size;
    this.#slotOf.clear();
    this.#keys.length = 0;
    this.#owner = new Int32Array(0);
    this.#expiry = new Float64Array(0);
    this.#more.clear();
    this.#owners.clear();
    this.#free.length = 0;
    this.#perFamily[4] = 0;
    this.#perFamily[6] = 0;
    this.#cursor = 0;
    return count;
  }

  /** Entries plus per-owner counters: what the ledger holds in memory (tests of its bound). */
  get size(): number {
    return this.#slotOf.size + this.#owners.size;
  }

  /** Calls `fn` for each owner of `slot` with its expiry, first owner first. */
  #each(slot: number, fn: (owner: number, expiresAtMs: number) => void): void {
    const first = this.#owner[slot] as number;
    if (first !== NONE) fn(first, this.#expiry[slot] as number);
    for (const [i, exp] of this.#more.get(slot) ?? []) fn(i, exp);
  }

  #expiryOf(slot: number, owner: number): number | undefined {
    if (this.#owner[slot] === owner) return this.#expiry[slot];
    return this.#more.get(slot)?.get(owner);
  }

  #take(key: string, family: 4 | 6): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#keys.length;
      if (slot >= this.#owner.length) this.#grow(Math.max(1024, this.#owner.length * 2));
    }
    this.#keys[slot] = key;
    this.#slotOf.set(key, slot);
    this.#perFamily[family]++;
    return slot;
  }

  #grow(capacity: number): void {
    const owner = new Int32Array(capacity).fill(NONE);
    owner.set(this.#owner);
    const expiry = new Float64Array(capacity);
    expiry.set(this.#expiry);
    this.#owner = owner;
    this.#expiry = expiry;
  }

  #removeOwner(slot: number, i: number): void {
    const more = this.#more.get(slot);
    if (this.#owner[slot] === i) {
      // The next owner in order becomes the first.
      const next = more?.entries().next();
      if (more && next && !next.done) {
        const [j, exp] = next.value;
        more.delete(j);
        this.#owner[slot] = j;
        this.#expiry[slot] = exp;
      } else this.#owner[slot] = NONE;
    } else if (!more?.delete(i)) return;
    if (more?.size === 0) this.#more.delete(slot);
    this.#owners.release(i);
    if (this.#owner[slot] !== NONE) return;
    const key = this.#keys[slot] as string;
    this.#slotOf.delete(key);
    this.#keys[slot] = '';
    this.#perFamily[familyOfKey(key)]--;
    this.#free.push(slot);
  }
}
