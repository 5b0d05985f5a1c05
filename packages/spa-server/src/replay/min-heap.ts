/** A binary min-heap of values keyed by a number: the smallest key in O(1), push and pop in O(log n). @module */

export class MinHeap<T> {
  // Two parallel arrays instead of an array of {key, value} objects: one allocation less per entry.
  readonly #keys: number[] = [];
  readonly #values: T[] = [];

  get size(): number {
    return this.#keys.length;
  }

  /** The smallest key, or undefined when empty. */
  peekKey(): number | undefined {
    return this.#keys[0];
  }

  push(key: number, value: T): void {
    this.#keys.push(key);
    this.#values.push(value);
    this.#up(this.#keys.length - 1);
  }

  /** Every (key, value) pair, in heap order (not sorted). */
  *entries(): IterableIterator<[number, T]> {
    for (let i = 0; i < this.#keys.length; i++) yield [this.#keys[i] as number, this.#values[i] as T];
  }

  /** Removes and returns the value with the smallest key (ties in no particular order). */
  pop(): T | undefined {
    const n = this.#keys.length;
    if (n === 0) return undefined;
    const top = this.#values[0] as T;
    const lastKey = this.#keys.pop() as number;
    const lastValue = this.#values.pop() as T;
    if (n > 1) {
      this.#keys[0] = lastKey;
      this.#values[0] = lastValue;
      this.#down(0);
    }
    return top;
  }

  #up(at: number): void {
    const keys = this.#keys;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if ((keys[parent] as number) <= (keys[at] as number)) return;
      this.#swap(at, parent);
      at = parent;
    }
  }

  #down(at: number): void {
    const keys = this.#keys;
    const n = keys.length;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let least = at;
      if (left < n && (keys[left] as number) < (keys[least] as number)) least = left;
      if (right < n && (keys[right] as number) < (keys[least] as number)) least = right;
      if (least === at) return;
      this.#swap(at, least);
      at = least;
    }
  }

  #swap(a: number, b: number): void {
    const keys = this.#keys;
    const values = this.#values;
    [keys[a], keys[b]] = [keys[b] as number, keys[a] as number];
    [values[a], values[b]] = [values[b] as T, values[a] as T];
  }
}
