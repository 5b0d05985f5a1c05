/** Bounded FIFO between the receive path and the expensive checks: drops when full, drains in batches. @module */

export interface WorkQueueOptions<T> {
  /** Items that may wait at once; a push beyond it is refused (the caller counts queue-full). */
  readonly capacity: number;
  /** Items handled per event-loop turn, so timers, sockets and the firewall keep being served. */
  readonly batchSize?: number;
  /** Synchronous work for one item; it must not throw (a throw is caught and reported to onError). */
  readonly handle: (item: T) => void;
  readonly onError?: (error: unknown) => void;
}

export interface WorkQueue<T> {
  /** False when the queue is full: the item was not taken. O(1), no allocation once warmed up. */
  push(item: T): boolean;
  readonly length: number;
  /** A new bound; items already waiting beyond it are kept and drained. */
  setCapacity(capacity: number): void;
  /** Resolves once every item pushed so far has been handled. */
  idle(): Promise<void>;
  /** Drops waiting items and stops scheduling. */
  close(): void;
}

export const DEFAULT_BATCH_SIZE = 32;

export function createWorkQueue<T>(options: WorkQueueOptions<T>): WorkQueue<T> {
  const { handle, onError } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  let capacity = options.capacity;
  // A ring buffer: shift() on a large array is O(n), and the queue is hottest exactly under flood.
  let ring: (T | undefined)[] = new Array(Math.max(1, capacity));
  let head = 0;
  let count = 0;
  let scheduled = false;
  let closed = false;
  let waiters: (() => void)[] = [];

  const take = (): T => {
    const item = ring[head] as T;
    ring[head] = undefined;
    head = (head + 1) % ring.length;
    count--;
    return item;
  };

  const drain = (): void => {
    scheduled = false;
    if (closed) {
      notifyIdle();
      return;
    }
    for (let n = 0; n < batchSize && count > 0; n++) {
      try {
        handle(take());
      } catch (error) {
        onError?.(error);
      }
    }
    if (count > 0) schedule();
    else notifyIdle();
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    // setImmediate runs after pending I/O callbacks: under flood the socket keeps being read (and
    // the excess refused cheaply) while the queue drains a batch per turn.
    setImmediate(drain);
  };

  const notifyIdle = (): void => {
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  const resize = (size: number): void => {
    const next: (T | undefined)[] = new Array(Math.max(1, size));
    for (let i = 0; i < count; i++) next[i] = ring[(head + i) % ring.length];
    ring = next;
    head = 0;
  };

  return {
    push(item) {
      if (closed || count >= capacity) return false;
      ring[(head + count) % ring.length] = item;
      count++;
      schedule();
      return true;
    },
    get length() {
      return count;
    },
    setCapacity(next) {
      capacity = next;
      resize(Math.max(next, count));
    },
    idle() {
      if (closed || (count === 0 && !scheduled)) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    close() {
      closed = true;
      ring = new Array(Math.max(1, capacity));
      head = 0;
      count = 0;
      notifyIdle();
    },
  };
}
