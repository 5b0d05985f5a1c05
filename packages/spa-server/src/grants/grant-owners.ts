/** The clients that hold grants, interned: each key id once, with its name and how many elements it holds. @module */
import { ownerLabel } from '../firewall/grant-values.js';

/** A client that holds grants, by key id: a rotated key under the same name is another owner. */
export interface GrantOwner {
  readonly keyId: string;
  readonly name: string;
  /** Its grants are one-shot (GrantTarget.once): each admits one new TCP connection. */
  readonly oneShot?: boolean;
}

/**
 * Owners by small integer index, so an element stores one number per owner instead of a key id string
 * and an object. An index is reused once its owner holds nothing.
 */
export class GrantOwners {
  readonly #index = new Map<string, number>();
  readonly #keyIds: string[] = [];
  readonly #names: string[] = [];
  /** Each owner as its elements' comments name it (ownerLabel): made once per owner, not per element. */
  readonly #labels: string[] = [];
  readonly #held: number[] = [];
  readonly #free: number[] = [];

  /** The index of `keyId`, or -1 when it holds nothing. */
  find(keyId: string): number {
    return this.#index.get(keyId) ?? -1;
  }

  /** The index of `owner`, interned if new; its name is updated (a reload may rename a key). */
  intern(owner: GrantOwner): number {
    let i = this.#index.get(owner.keyId);
    if (i === undefined) {
      i = this.#free.pop() ?? this.#keyIds.length;
      this.#index.set(owner.keyId, i);
      this.#keyIds[i] = owner.keyId;
      this.#held[i] = 0;
      this.#names[i] = '';
    }
    if (this.#names[i] !== owner.name) {
      this.#names[i] = owner.name;
      this.#labels[i] = ownerLabel(owner.name, owner.keyId);
    }
    return i;
  }

  keyIdOf(i: number): string {
    return this.#keyIds[i] as string;
  }

  nameOf(i: number): string {
    return this.#names[i] as string;
  }

  /** The owner's name with its key's tag, as an element comment holds it (ownerLabel). */
  labelOf(i: number): string {
    return this.#labels[i] as string;
  }

  /** Elements held by `keyId`. */
  heldBy(keyId: string): number {
    const i = this.#index.get(keyId);
    return i === undefined ? 0 : (this.#held[i] as number);
  }

  /** Owner `i` holds one element more. */
  acquire(i: number): void {
    this.#held[i] = (this.#held[i] as number) + 1;
  }

  /** Owner `i` holds one element less; at none it is forgotten and its index freed. */
  release(i: number): void {
    const left = (this.#held[i] as number) - 1;
    this.#held[i] = left;
    if (left > 0) return;
    this.#index.delete(this.#keyIds[i] as string);
    this.#keyIds[i] = '';
    this.#names[i] = '';
    this.#labels[i] = '';
    this.#free.push(i);
  }

  get size(): number {
    return this.#index.size;
  }

  clear(): void {
    this.#index.clear();
    this.#keyIds.length = 0;
    this.#names.length = 0;
    this.#held.length = 0;
    this.#free.length = 0;
  }
}
