/** Nonces of knocks dropped before authentication (a token bucket, the queue), so that a copy sent later is a replay: bounded per client and overall. @module */

/** Bound of one client's entries: its own flood pushes out its own oldest entries, nobody else's. */
export const DROPPED_PER_CLIENT = 64;
/** Bound of all entries: one client holds at most DROPPED_PER_CLIENT of them. */
export const DROPPED_CAPACITY = 65_536;

interface Dropped {
  readonly client: string;
  /** When its tag leaves the table (ms): a copy then fails at the tag, and the entry is no longer needed. */
  readonly untilMs: number;
}

/**
 * Keys are hex(keyId) + hex(nonce), as in the nonce memory. Only mac2 vouches for these datagrams, not
 * the signature: they are the client's (or a byte copy of one), but whoever holds the client's key
 * can send as many as it likes. So the entries of one client are capped on their own, oldest first,
 * and a fresh knock is never refused here: it carries a nonce no entry holds.
 */
export class DroppedNonces {
  readonly #perClientMax: number;
  readonly #capacity: number;
  /** Oldest first, over all clients. */
  readonly #all = new Map<string, Dropped>();
  /** Each client's keys, oldest first. */
  readonly #byClient = new Map<string, Set<string>>();

  constructor(perClient = DROPPED_PER_CLIENT, capacity = DROPPED_CAPACITY) {
    this.#perClientMax = Math.max(1, perClient);
    this.#capacity = Math.max(1, capacity);
  }

  /** True while a datagram with this key was dropped and its tag is still held at `nowMs`. */
  has(key: string, nowMs: number): boolean {
    const entry = this.#all.get(key);
    if (entry === undefined) return false;
    if (entry.untilMs > nowMs) return true;
    this.#delete(key, entry.client);
    return false;
  }

  /** `client` is the hex key id the tag named; `key` starts with it. */
  add(client: string, key: string, untilMs: number): void {
    const previous = this.#all.get(key);
    if (previous) this.#delete(key, previous.client);
    const mine = this.#byClient.get(client);
    while (mine && mine.size >= this.#perClientMax) this.#delete(first(mine), client);
    while (this.#all.size >= this.#capacity) {
      const [oldest, entry] = this.#all.entries().next().value as [string, Dropped];
      this.#delete(oldest, entry.client);
    }
    this.#byClient.set(client, (this.#byClient.get(client) ?? new Set<string>()).add(key));
    this.#all.set(key, { client, untilMs });
  }

  get size(): number {
    return this.#all.size;
  }

  clear(): void {
    this.#all.clear();
    this.#byClient.clear();
  }

  #delete(key: string, client: string): void {
    this.#all.delete(key);
    const mine = this.#byClient.get(client);
    if (!mine) return;
    mine.delete(key);
    if (mine.size === 0) this.#byClient.delete(client);
  }
}

function first(keys: Set<string>): string {
  return keys.values().next().value as string;
}
