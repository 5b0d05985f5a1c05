/** What the pre-check (§7 7) knows beyond the replay store: knocks waiting in the queue, nonces refused after mac2, and those dropped before it. @module */
import { EPOCH_MS, type IpAddress } from 'spa-protocol';
import { DroppedNonces } from './dropped-nonces.js';

/** Bound of the memory of nonces that passed mac2 and failed later. */
export const SPENT_CAPACITY = 65_536;

/** A knock waiting in the queue, by (client, nonce): copies of it are replays before it is handled. */
export interface Pending {
  readonly source: string;
  /** A copy from another address arrived while it waited (source mode: the race guard acts on it). */
  copiedFrom?: { readonly source: IpAddress; readonly srcPort: number };
}

/**
 * Keys are hex(keyId) + hex(nonce), as in the replay store. All three are bounded: `pending` by the
 * queue (an entry lives while its knock waits), `spent` by SPENT_CAPACITY, the oldest going first,
 * `dropped` per client and overall.
 */
export class NonceMemory {
  readonly #pending = new Map<string, Pending>();
  /**
   * (client, nonce) of datagrams that passed mac2 but failed a later check (stale, bad signature...):
   * key → when their tag leaves the table. A copy would fail the same way, or (a knock dated ahead of
   * the window) be accepted later from wherever it was resent; either way it must not spend the
   * client's budget and a key exchange again.
   */
  readonly #spent = new Map<string, number>();
  /** (client, nonce) of datagrams a token bucket or the queue dropped, before authentication. */
  readonly #dropped = new DroppedNonces();

  /** True when the key waits in the queue or was spent and its tag is still held at `nowMs`. */
  has(key: string, nowMs: number): boolean {
    if (this.#pending.has(key)) return true;
    const until = this.#spent.get(key);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.#spent.delete(key);
    return false;
  }

  /** A knock was queued, from `source`. */
  queued(key: string, source: string): void {
    this.#pending.set(key, { source });
  }

  /** A copy of a queued knock arrived from `source`; remembered when it is another address. */
  copied(key: string, source: IpAddress, srcPort: number): void {
    const waiting = this.#pending.get(key);
    if (waiting && waiting.source !== source.text) waiting.copiedFrom ??= { source, srcPort };
  }

  /** The queued knock is being handled: it leaves the pending map, and what it learnt is returned. */
  dequeued(key: string): Pending | undefined {
    const waited = this.#pending.get(key);
    this.#pending.delete(key);
    return waited;
  }

  /** The knock failed after mac2: copies are refused until its tag's epoch has left the window. */
  spend(key: string, epoch: number, windowMs: number): void {
    this.#spent.delete(key);
    while (this.#spent.size >= SPENT_CAPACITY) {
      const oldest = this.#spent.keys().next();
      if (oldest.done) break;
      this.#spent.delete(oldest.value);
    }
    this.#spent.set(key, heldUntil(epoch, windowMs));
  }

  /**
   * A token bucket or the queue dropped the datagram (`client`: the hex key id its tag named): copies
   * are refused until its tag's epoch has left the window, or until that client's own later drops
   * push it out (dropped-nonces.ts). Otherwise a copy resent once the budget refilled would be the
   * knock itself, from the copier's address.
   */
  dropped(client: string, key: string, epoch: number, windowMs: number): void {
    this.#dropped.add(client, key, heldUntil(epoch, windowMs));
  }

  /**
   * Whether a datagram with this key was dropped (and its tag is still held): asked of an
   * authenticated source-mode knock only. Not at §7 7 for every knock: the dropped datagram was not
   * authenticated, and whoever sees a knock before the server does could get it dropped (a copy sent
   * first from a source it has flooded) and so refused; a signed address opens only what it signs,
   * so a copy of it gains nothing, and source mode's race already costs both copies their access.
   */
  wasDropped(key: string, nowMs: number): boolean {
    return this.#dropped.has(key, nowMs);
  }

  clear(): void {
    this.#pending.clear();
    this.#spent.clear();
    this.#dropped.clear();
  }
}

/** When a tag of `epoch` leaves the table (§6.2): a copy then fails at the tag, for nothing. */
function heldUntil(epoch: number, windowMs: number): number {
  return (epoch + 1) * EPOCH_MS + windowMs;
}
