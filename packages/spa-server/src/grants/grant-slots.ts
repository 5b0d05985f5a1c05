/** The grant ledger's storage: one slot per element, its first owner and expiry in typed arrays, further owners in a small map. @module */
import { familyOfKey } from './target-key.js';

/** No owner: a free slot, or an owner index that was never interned. */
export const NONE = -1;

/**
 * One slot per element: its key in a Map, its first owner and that owner's expiry in typed arrays;
 * further owners (rare: two clients on one address and port) in a small map of their own. About a
 * tenth of the memory of an object and a map per element. Owners are indices (GrantOwners); a slot
 * is freed, and reused, once its last owner is removed.
 */
export class GrantSlots {
  readonly #slotOf = new Map<string, number>();
  readonly #keys: string[] = [];
  #owner = new Int32Array(0);
  #expiry = new Float64Array(0);
  /** Slot → owners after the first (owner index → expiry), in ownership order. */
  readonly #more = new Map<number, Map<number, number>>();
  readonly #free: number[] = [];
  readonly #perFamily = { 4: 0, 6: 0 };

  /** Elements of `family` held. */
  count(family: 4 | 6): number {
    return this.#perFamily[family];
  }

  /** Elements held. */
  get size(): number {
    return this.#slotOf.size;
  }

  /** Slots ever taken, free ones included: where a sweep ends. */
  get length(): number {
    return this.#keys.length;
  }

  /** The slot of the element `key`, if held. */
  find(key: string): number | undefined {
    return this.#slotOf.get(key);
  }

  /** Every element's key and slot. */
  entries(): Iterable<[string, number]> {
    return this.#slotOf.entries();
  }

  keyOf(slot: number): string {
    return this.#keys[slot] as string;
  }

  /** The first owner of `slot`, NONE when the slot is free. */
  firstOf(slot: number): number {
    return this.#owner[slot] as number;
  }

  /** The owners of `slot` after the first. */
  othersOf(slot: number): Iterable<number> {
    return this.#more.get(slot)?.keys() ?? [];
  }

  /** Calls `fn` for each owner of `slot` with its expiry, first owner first. */
  each(slot: number, fn: (owner: number, expiresAtMs: number) => void): void {
    const first = this.#owner[slot] as number;
    if (first !== NONE) fn(first, this.#expiry[slot] as number);
    for (const [i, exp] of this.#more.get(slot) ?? []) fn(i, exp);
  }

  /**
   * Calls `fn` for each owner expired by `nowMs` in the slots from `from` up to `end`, a slot's
   * further owners before its first; `fn` may remove the owner it is given.
   */
  eachExpired(
    from: number,
    end: number,
    nowMs: number,
    fn: (slot: number, owner: number, expiresAtMs: number) => void,
  ): void {
    for (let slot = from; slot < end; slot++) {
      if (this.#owner[slot] === NONE) continue;
      const more = this.#more.get(slot);
      if (more) for (const [i, exp] of more) if (exp <= nowMs) fn(slot, i, exp);
      const first = this.#owner[slot] as number;
      if (first !== NONE && (this.#expiry[slot] as number) <= nowMs)
        fn(slot, first, this.#expiry[slot] as number);
    }
  }

  expiryOf(slot: number, owner: number): number | undefined {
    if (this.#owner[slot] === owner) return this.#expiry[slot];
    return this.#more.get(slot)?.get(owner);
  }

  /** Takes a slot for the new element `key`, held by `owner` until `expiresAtMs`. */
  create(key: string, family: 4 | 6, owner: number, expiresAtMs: number): void {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#keys.length;
      if (slot >= this.#owner.length) this.#grow(Math.max(1024, this.#owner.length * 2));
    }
    this.#keys[slot] = key;
    this.#slotOf.set(key, slot);
    this.#perFamily[family]++;
    this.#owner[slot] = owner;
    this.#expiry[slot] = expiresAtMs;
  }

  /** Sets `owner`'s expiry on `slot`; a new owner comes after the others. */
  hold(slot: number, owner: number, expiresAtMs: number): void {
    if (this.#owner[slot] === owner) this.#expiry[slot] = expiresAtMs;
    else {
      const more = this.#more.get(slot) ?? new Map<number, number>();
      more.set(owner, expiresAtMs);
      this.#more.set(slot, more);
    }
  }

  /** Removes `i` from the owners of `slot`, freeing the slot when none is left; false when `i` held none of it. */
  removeOwner(slot: number, i: number): boolean {
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
    } else if (!more?.delete(i)) return false;
    if (more?.size === 0) this.#more.delete(slot);
    if (this.#owner[slot] !== NONE) return true;
    const key = this.#keys[slot] as string;
    this.#slotOf.delete(key);
    this.#keys[slot] = '';
    this.#perFamily[familyOfKey(key)]--;
    this.#free.push(slot);
    return true;
  }

  /** Forgets every element. */
  clear(): void {
    this.#slotOf.clear();
    this.#keys.length = 0;
    this.#owner = new Int32Array(0);
    this.#expiry = new Float64Array(0);
    this.#more.clear();
    this.#free.length = 0;
    this.#perFamily[4] = 0;
    this.#perFamily[6] = 0;
  }

  #grow(capacity: number): void {
    const owner = new Int32Array(capacity).fill(NONE);
    owner.set(this.#owner);
    const expiry = new Float64Array(capacity);
    expiry.set(this.#expiry);
    this.#owner = owner;
    this.#expiry = expiry;
  }
}
