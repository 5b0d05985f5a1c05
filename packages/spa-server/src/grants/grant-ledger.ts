/** The daemon's record of live grants: who owns each (address, protocol, port), until when. Pure, bounded by expiry. @module */
import { portText } from '../config/port-spec.js';
import type { GrantTarget } from '../firewall/driver.js';
import type { ExpiredOwnership } from './grant-events.js';

/** A client that holds grants, by key id: a rotated key under the same name is another owner. */
export interface GrantOwner {
  readonly keyId: string;
  readonly name: string;
  /** Its grants are one-shot (GrantTarget.once): each admits one new TCP connection. */
  readonly oneShot?: boolean;
}

export interface Ownership {
  readonly name: string;
  readonly expiresAtMs: number;
}

/** One kernel element and the clients holding it. */
export interface LedgerEntry {
  readonly target: GrantTarget;
  /** Key id → that owner's own expiry. */
  readonly owners: ReadonlyMap<string, Ownership>;
}

/** What the kernel element must become after a change: its timeout and owner names, or gone. */
export interface ElementState {
  readonly target: GrantTarget;
  /** Latest expiry over all owners; undefined when no owner is left (delete the element). */
  readonly expiresAtMs: number | undefined;
  /** Owner names, earliest owner first. */
  readonly names: readonly string[];
}

export const targetKey = (t: GrantTarget): string =>
  `${t.family}|${t.address}|${portText(t)}${t.once === true ? '|once' : ''}`;

/**
 * Changes are computed first (`withOwner`, `withoutOwner`) and recorded only once the kernel took
 * them (`apply`), so a failed driver call leaves the ledger as the kernel is.
 */
export class GrantLedger {
  readonly #entries = new Map<string, { target: GrantTarget; owners: Map<string, Ownership> }>();
  /** Key id → number of entries that owner holds (the per-client cap counts these). */
  readonly #held = new Map<string, number>();

  /** Entries held by `keyId`, expired ones included until the next prune. */
  heldBy(keyId: string): number {
    return this.#held.get(keyId) ?? 0;
  }

  /** True when anyone holds `target`. */
  has(target: GrantTarget): boolean {
    return this.#entries.has(targetKey(target));
  }

  /** True when `keyId` already owns `target` (a renewal, not a new grant). */
  owns(keyId: string, target: GrantTarget): boolean {
    return this.#entries.get(targetKey(target))?.owners.has(keyId) ?? false;
  }

  /** `keyId`'s own share of `target`: its name and end; undefined when it holds none. */
  ownership(keyId: string, target: GrantTarget): Ownership | undefined {
    return this.#entries.get(targetKey(target))?.owners.get(keyId);
  }

  /** The element after `owner` holds `target` until at least `expiresAtMs` (an owner's grant is never shortened). */
  withOwner(owner: GrantOwner, target: GrantTarget, expiresAtMs: number): ElementState {
    const owners = new Map(this.#entries.get(targetKey(target))?.owners);
    const mine = owners.get(owner.keyId);
    owners.set(owner.keyId, { name: owner.name, expiresAtMs: Math.max(expiresAtMs, mine?.expiresAtMs ?? 0) });
    return stateOf(target, owners);
  }

  /** The element after `keyId` gives `target` up; undefined when it does not hold it. */
  withoutOwner(keyId: string, target: GrantTarget): ElementState | undefined {
    const entry = this.#entries.get(targetKey(target));
    if (!entry?.owners.has(keyId)) return undefined;
    const owners = new Map(entry.owners);
    owners.delete(keyId);
    return stateOf(target, owners);
  }

  /** Records that `owner` holds `target` until `expiresAtMs` (as computed by withOwner). */
  add(owner: GrantOwner, target: GrantTarget, expiresAtMs: number): void {
    const key = targetKey(target);
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { target, owners: new Map() };
      this.#entries.set(key, entry);
    }
    const mine = entry.owners.get(owner.keyId);
    if (!mine) this.#held.set(owner.keyId, this.heldBy(owner.keyId) + 1);
    entry.owners.set(owner.keyId, {
      name: owner.name,
      expiresAtMs: Math.max(expiresAtMs, mine?.expiresAtMs ?? 0),
    });
  }

  /** Forgets that `keyId` holds `target`. */
  remove(keyId: string, target: GrantTarget): void {
    const key = targetKey(target);
    const entry = this.#entries.get(key);
    if (!entry?.owners.delete(keyId)) return;
    this.#release(keyId);
    if (entry.owners.size === 0) this.#entries.delete(key);
  }

  /** Forgets a target whatever its owners (revoked outside ownership: a close of an unknown element). */
  drop(target: GrantTarget): void {
    const key = targetKey(target);
    const entry = this.#entries.get(key);
    if (!entry) return;
    for (const keyId of entry.owners.keys()) this.#release(keyId);
    this.#entries.delete(key);
  }

  /** Forgets every ownership that has expired by `nowMs`, and returns them; one pass over the entries. */
  prune(nowMs: number): ExpiredOwnership[] {
    const expired: ExpiredOwnership[] = [];
    for (const [key, entry] of this.#entries) {
      for (const [keyId, own] of entry.owners) {
        if (own.expiresAtMs > nowMs) continue;
        entry.owners.delete(keyId);
        this.#release(keyId);
        expired.push({ keyId, name: own.name, target: entry.target, expiresAtMs: own.expiresAtMs });
      }
      if (entry.owners.size === 0) this.#entries.delete(key);
    }
    return expired;
  }

  /** Live entries (call prune first for an exact view). */
  entries(): IterableIterator<LedgerEntry> {
    return this.#entries.values();
  }

  /** Every (owner key id, target) pair with the owner's name, for revocations by key or by service. */
  *ownerships(): Generator<{ readonly keyId: string; readonly name: string; readonly target: GrantTarget }> {
    for (const entry of this.#entries.values()) {
      for (const [keyId, own] of entry.owners) yield { keyId, name: own.name, target: entry.target };
    }
  }

  /** Forgets everything (flush); returns how many elements were held. */
  clear(): number {
    const count = this.#entries.size;
    this.#entries.clear();
    this.#held.clear();
    return count;
  }

  /** Entries plus per-owner counters: what the ledger holds in memory (tests of its bound). */
  get size(): number {
    return this.#entries.size + this.#held.size;
  }

  #release(keyId: string): void {
    const n = this.heldBy(keyId) - 1;
    if (n > 0) this.#held.set(keyId, n);
    else this.#held.delete(keyId);
  }
}

/** The element for a set of owners: the latest expiry, names in ownership order. */
export function stateOf(target: GrantTarget, owners: ReadonlyMap<string, Ownership>): ElementState {
  let expiresAtMs: number | undefined;
  const names: string[] = [];
  for (const own of owners.values()) {
    names.push(own.name);
    if (expiresAtMs === undefined || own.expiresAtMs > expiresAtMs) expiresAtMs = own.expiresAtMs;
  }
  return { target, expiresAtMs, names };
}
