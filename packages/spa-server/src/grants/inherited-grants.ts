/** Grants the kernel holds that the ledger does not (an earlier run's, a failed flush's): shown by status, closed only by an owner they name. @module */
import type { ActiveGrant, Grant, GrantTarget } from '../firewall/driver.js';
import { parseOwners } from '../firewall/grant-values.js';
import { secondsLeft } from './grant-ledger-views.js';
import { targetKey } from './target-key.js';

interface Inherited {
  readonly grant: Grant;
  readonly expiresAtMs: number;
}

/**
 * A restarted daemon keeps the elements an earlier run granted (they end by the kernel's timeout),
 * but its ledger starts empty: without this list `status`, which answers from the ledger, would not
 * show an address that can still connect, and a `close` could not tell whose an element is. Read
 * from the kernel at start, after a repair and after a failed flush. An element a knock or a close
 * has since rewritten or deleted is forgotten. One-shot elements are kept for their owners' closes
 * but not shown: status reads those from the kernel, which deletes a spent one itself.
 */
export class InheritedGrants {
  #items = new Map<string, Inherited>();

  /** Replaces the list with the kernel's grants as read at `nowMs`. */
  adopt(grants: readonly ActiveGrant[], nowMs: number): void {
    this.#items = new Map();
    for (const { client, owners: _owners, expiresInSeconds, ...target } of grants) {
      if (expiresInSeconds <= 0) continue;
      const grant = { ...target, client, timeoutSeconds: expiresInSeconds };
      this.#items.set(targetKey(grant), { grant, expiresAtMs: nowMs + expiresInSeconds * 1000 });
    }
  }

  /**
   * True when `target`'s element, live at `nowMs`, names `name` and no one else in its comment. The
   * comment is all the kernel keeps of its owners (names, not keys, and no end per owner): removing
   * an element two clients hold would close the other's access too, so a shared one, or one with
   * owners elided as `+N`, is closed by nobody and ends at its kernel timeout.
   */
  ownedOnlyBy(target: GrantTarget, name: string, nowMs: number): boolean {
    const item = this.#items.get(targetKey(target));
    if (item === undefined || item.expiresAtMs <= nowMs) return false;
    const owners = parseOwners(item.grant.client);
    return owners.length === 1 && owners[0] === name;
  }

  /**
   * The listed elements live at `nowMs` that the ledger does not hold (`held` as in live()), as the
   * kernel's listing gave them, one-shot ones included: what a reload checks against the new
   * configuration, as the start did against its own.
   */
  kept(nowMs: number, held: (key: string) => boolean): ActiveGrant[] {
    const kept: ActiveGrant[] = [];
    for (const [key, { grant, expiresAtMs }] of this.#items) {
      if (expiresAtMs <= nowMs || held(key)) continue;
      const { timeoutSeconds: _left, ...target } = grant;
      kept.push({
        ...target,
        owners: parseOwners(grant.client),
        expiresInSeconds: secondsLeft(expiresAtMs, nowMs),
      });
    }
    return kept;
  }

  /** True when `target`'s element is listed, whatever its owners. */
  has(target: GrantTarget): boolean {
    return this.#items.has(targetKey(target));
  }

  /** The daemon rewrote or deleted these elements: the kernel holds the ledger's version, or none. */
  forget(targets: readonly GrantTarget[]): void {
    if (this.#items.size === 0) return;
    for (const t of targets) this.#items.delete(targetKey(t));
  }

  /**
   * The plain ones still live at `nowMs`; any the ledger now holds is the ledger's from then on.
   * `held` takes the target's key (targetKey), kept since adopt(): a status of 100,000 inherited
   * grants spent two thirds of its time parsing their addresses again to make it.
   */
  *live(nowMs: number, held: (key: string) => boolean): IterableIterator<Grant> {
    for (const [key, { grant, expiresAtMs }] of this.#items) {
      if (expiresAtMs <= nowMs || held(key)) {
        this.#items.delete(key);
        continue;
      }
      if (grant.once === true) continue;
      yield { ...grant, timeoutSeconds: secondsLeft(expiresAtMs, nowMs) };
    }
  }

  clear(): void {
    this.#items = new Map();
  }
}
