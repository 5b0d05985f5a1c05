/** Grants the kernel kept from before the daemon's start: shown by status until their timeout, never renewed, revoked by flush. @module */
import type { ActiveGrant, Grant, GrantTarget } from '../firewall/driver.js';
import { secondsLeft } from './grant-ledger-views.js';

interface Inherited {
  readonly grant: Grant;
  readonly expiresAtMs: number;
}

/**
 * A restarted daemon keeps the elements an earlier run granted (they end by the kernel's timeout),
 * but its ledger starts empty: without this list `status`, which answers from the ledger, would not
 * show an address that can still connect. Read once at start. One-shot elements are left out: status
 * reads those from the kernel, which deletes a spent one itself.
 */
export class InheritedGrants {
  #items: Inherited[] = [];

  /** Replaces the list with the kernel's plain grants as read at `nowMs`. */
  adopt(grants: readonly ActiveGrant[], nowMs: number): void {
    this.#items = grants
      .filter((g) => g.once !== true && g.expiresInSeconds > 0)
      .map(({ client, owners: _owners, expiresInSeconds, ...target }) => ({
        grant: { ...target, client, timeoutSeconds: expiresInSeconds },
        expiresAtMs: nowMs + expiresInSeconds * 1000,
      }));
  }

  /** The ones still live at `nowMs` that the ledger does not hold (a new knock for one takes it over). */
  *live(nowMs: number, held: (target: GrantTarget) => boolean): IterableIterator<Grant> {
    if (this.#items.length > 0) this.#items = this.#items.filter((i) => i.expiresAtMs > nowMs);
    for (const { grant, expiresAtMs } of this.#items) {
      if (held(grant)) continue;
      yield { ...grant, timeoutSeconds: secondsLeft(expiresAtMs, nowMs) };
    }
  }

  /** After a flush or a rebuilt table: the kernel no longer holds them. */
  clear(): void {
    this.#items = [];
  }
}
