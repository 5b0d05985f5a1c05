/** The daemon's record of live grants: who owns each (address, protocol, port), until when. Compact, bounded per family, pruned in slices. @module */
import type { GrantTarget } from '../firewall/driver.js';
import { MAX_GRANTS_PER_FAMILY, ownerLabel } from '../firewall/grant-values.js';
import type { ExpiredOwnership } from './grant-events.js';
import type { ElementState, Ownership } from './grant-ledger-views.js';
import { type GrantOwner, GrantOwners } from './grant-owners.js';
import { GrantSlots, NONE } from './grant-slots.js';
import { targetKey, targetOf } from './target-key.js';

export type { ElementState, GrantOwner, Ownership };

/** Slots a prune visits per slice: a few milliseconds of work, however many grants expire at once. */
export const PRUNE_SLICE = 1024;

/**
 * Owners and expiries of the elements, in a compact slot table (GrantSlots). At most `maxPerFamily`
 * elements of each family (the kernel's sets hold no more). Changes are computed first (`withOwner`,
 * `withoutOwner`) and recorded only once the kernel took them (`add`, `remove`), so a failed driver
 * call leaves the ledger as the kernel is.
 */
export class GrantLedger {
  readonly maxPerFamily: number;
  readonly #slots = new GrantSlots();
  readonly #owners = new GrantOwners();
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
    return this.#slots.count(family);
  }

  /** True when anyone holds `target`. */
  has(target: GrantTarget): boolean {
    return this.hasKey(targetKey(target));
  }

  /** has() for a target already made a key (targetKey): parsing 100,000 addresses again costs a status most of its time. */
  hasKey(key: string): boolean {
    return this.#slots.find(key) !== undefined;
  }

  /** True when `keyId` already owns `target` (a renewal, not a new grant). */
  owns(keyId: string, target: GrantTarget): boolean {
    const slot = this.#slots.find(targetKey(target));
    const i = this.#owners.find(keyId);
    return slot !== undefined && i !== NONE && this.#slots.expiryOf(slot, i) !== undefined;
  }

  /** `keyId`'s own share of `target`: its name and end; undefined when it holds none. */
  ownership(keyId: string, target: GrantTarget): Ownership | undefined {
    const slot = this.#slots.find(targetKey(target));
    const i = this.#owners.find(keyId);
    const expiresAtMs = slot === undefined || i === NONE ? undefined : this.#slots.expiryOf(slot, i);
    return expiresAtMs === undefined ? undefined : { name: this.#owners.nameOf(i), expiresAtMs };
  }

  /** The element after `owner` holds `target` until at least `expiresAtMs` (an owner's grant is never shortened). */
  withOwner(owner: GrantOwner, target: GrantTarget, expiresAtMs: number): ElementState {
    const slot = this.#slots.find(targetKey(target));
    const mine = this.#owners.find(owner.keyId);
    const names: string[] = [];
    let latest = expiresAtMs;
    let found = false;
    if (slot !== undefined) {
      this.#slots.each(slot, (i, exp) => {
        found ||= i === mine;
        names.push(i === mine ? ownerLabel(owner.name, owner.keyId) : this.#owners.labelOf(i));
        latest = Math.max(latest, exp);
      });
    }
    if (!found) names.push(ownerLabel(owner.name, owner.keyId));
    return { target, expiresAtMs: latest, names };
  }

  /** The element after `keyId` gives `target` up; undefined when it does not hold it. */
  withoutOwner(keyId: string, target: GrantTarget): ElementState | undefined {
    const slot = this.#slots.find(targetKey(target));
    const mine = this.#owners.find(keyId);
    if (slot === undefined || mine === NONE || this.#slots.expiryOf(slot, mine) === undefined)
      return undefined;
    const names: string[] = [];
    let latest: number | undefined;
    this.#slots.each(slot, (i, exp) => {
      if (i === mine) return;
      names.push(this.#owners.labelOf(i));
      latest = Math.max(latest ?? exp, exp);
    });
    return { target, expiresAtMs: latest, names };
  }

  /** Records that `owner` holds `target` until `expiresAtMs` (as computed by withOwner). */
  add(owner: GrantOwner, target: GrantTarget, expiresAtMs: number): void {
    const key = targetKey(target);
    const i = this.#owners.intern(owner);
    const slot = this.#slots.find(key);
    if (slot === undefined) {
      this.#slots.create(key, target.family, i, expiresAtMs);
      this.#owners.acquire(i);
      return;
    }
    const mine = this.#slots.expiryOf(slot, i);
    const until = Math.max(expiresAtMs, mine ?? 0);
    if (mine === undefined) this.#owners.acquire(i);
    this.#slots.hold(slot, i, until);
  }

  /** Forgets that `keyId` holds `target`. */
  remove(keyId: string, target: GrantTarget): void {
    const slot = this.#slots.find(targetKey(target));
    const i = this.#owners.find(keyId);
    if (slot !== undefined && i !== NONE) this.#removeOwner(slot, i);
  }

  /** Forgets a target whatever its owners (revoked outside ownership: a close of an unknown element). */
  drop(target: GrantTarget): void {
    const slot = this.#slots.find(targetKey(target));
    if (slot === undefined) return;
    for (const i of this.#slots.othersOf(slot)) this.#removeOwner(slot, i);
    this.#removeOwner(slot, this.#slots.firstOf(slot));
  }

  /**
   * Forgets ownerships expired by `nowMs` in the next `slice` slots; a sweep goes on where the last
   * call stopped, and adds what it forgot to `expired`. Returns true when it reached the last slot
   * (the next call starts a new sweep).
   */
  prune(nowMs: number, slice = Number.POSITIVE_INFINITY, expired: ExpiredOwnership[] = []): boolean {
    const end = Math.min(this.#slots.length, this.#cursor + slice);
    this.#slots.eachExpired(this.#cursor, end, nowMs, (slot, i, expiresAtMs) => {
      const [keyId, name] = [this.#owners.keyIdOf(i), this.#owners.nameOf(i)];
      expired.push({ keyId, name, target: targetOf(this.#slots.keyOf(slot)), expiresAtMs });
      this.#removeOwner(slot, i);
    });
    this.#cursor = end >= this.#slots.length ? 0 : end;
    return this.#cursor === 0;
  }

  /** Every element with its owners' latest expiry and names (call prune first for an exact view). */
  *elements(): Generator<ElementState> {
    for (const [key, slot] of this.#slots.entries()) {
      const names: string[] = [];
      let latest = 0;
      this.#slots.each(slot, (i, exp) => {
        names.push(this.#owners.labelOf(i));
        latest = Math.max(latest, exp);
      });
      yield { target: targetOf(key), expiresAtMs: latest, names };
    }
  }

  /** Every (owner key id, target) pair with the owner's name, for revocations by key or by service. */
  *ownerships(): Generator<{ readonly keyId: string; readonly name: string; readonly target: GrantTarget }> {
    for (const [key, slot] of this.#slots.entries()) {
      const owners: number[] = [];
      this.#slots.each(slot, (i) => owners.push(i));
      for (const i of owners)
        yield { keyId: this.#owners.keyIdOf(i), name: this.#owners.nameOf(i), target: targetOf(key) };
    }
  }

  /** Forgets everything (flush); returns how many elements were held. */
  clear(): number {
    const count = this.#slots.size;
    this.#slots.clear();
    this.#owners.clear();
    this.#cursor = 0;
    return count;
  }

  /** Entries plus per-owner counters: what the ledger holds in memory (tests of its bound). */
  get size(): number {
    return this.#slots.size + this.#owners.size;
  }

  #removeOwner(slot: number, i: number): void {
    if (this.#slots.removeOwner(slot, i)) this.#owners.release(i);
  }
}
