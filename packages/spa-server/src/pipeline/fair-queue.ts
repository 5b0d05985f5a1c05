/** Bounded queue between the receive path and the expensive checks, fair between clients: round robin over one lane per client. @module */

export interface FairQueueOptions<T> {
  /** Items that may wait at once, all lanes together; a push beyond it is refused (the caller counts queue-full). */
  readonly capacity: number;
  /** Items handled per event-loop turn, so timers, sockets and the firewall keep being served. */
  readonly batchSize?: number;
  /** Synchronous work for one item; it must not throw (a throw is caught and reported to onError). */
  readonly handle: (item: T) => void;
  readonly onError?: (error: unknown) => void;
}

export interface FairQueue<T> {
  /** False when the queue is full: the item was not taken. */
  push(lane: string, item: T): boolean;
  readonly length: number;
  /** A new bound; items already waiting beyond it are kept and drained. */
  setCapacity(capacity: number): void;
  /** Resolves once every item pushed so far has been handled. */
  idle(): Promise<void>;
  /** Drops waiting items and stops scheduling. */
  close(): void;
}

export const DEFAULT_BATCH_SIZE = 32;

/** One lane's items; `head` instead of shift(), which is O(n) and the queue is hottest under flood. */
interface Lane<T> {
  items: T[];
  head: number;
}

/**
 * Lanes are client key ids: only datagrams that passed mac2 get here, so a lane is a client that holds
 * its key. Each turn takes one item from each waiting lane in turn, so a client sending a burst (its
 * per-client bucket allows it) delays another client's knock by at most one item per waiting lane, not
 * by the whole burst. A push is refused when the queue is full, or when its lane already holds half
 * of it, so that one client can never take every slot.
 */
export function createFairQueue<T>(options: FairQueueOptions<T>): FairQueue<T> {
  const { handle, onError } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  let capacity = options.capacity;
  const laneCapacity = (): number => Math.max(1, Math.ceil(capacity / 2));
  let lanes = new Map<string, Lane<T>>();
  // Lanes with items, in turn order; `turn` is the next to serve. Compacted as it is consumed.
  let order: string[] = [];
  let turn = 0;
  let count = 0;
  let scheduled = false;
  let closed = false;
  let waiters: (() => void)[] = [];

  const take = (): T => {
    const name = order[turn++]!;
    const lane = lanes.get(name)!;
    const item = lane.items[lane.head]!;
    lane.items[lane.head++] = undefined as T;
    count--;
    if (lane.head === lane.items.length) lanes.delete(name);
    else order.push(name);
    if (turn >= 1024) {
      order = order.slice(turn);
      turn = 0;
    }
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

  return {
    push(name, item) {
      if (closed || count >= capacity) return false;
      const lane = lanes.get(name);
      // One lane may hold at most half the queue: a client whose bucket allows a burst as large as
      // the queue still leaves room for the others.
      if (lane && lane.items.length - lane.head >= laneCapacity()) return false;
      if (lane) {
        if (lane.head > 64 && lane.head * 2 > lane.items.length) {
          lane.items = lane.items.slice(lane.head);
          lane.head = 0;
        }
        lane.items.push(item);
      } else {
        lanes.set(name, { items: [item], head: 0 });
        order.push(name);
      }
      count++;
      schedule();
      return true;
    },
    get length() {
      return count;
    },
    setCapacity(next) {
      capacity = next;
    },
    idle() {
      if (closed || (count === 0 && !scheduled)) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    close() {
      closed = true;
      lanes = new Map();
      order = [];
      turn = 0;
      count = 0;
      notifyIdle();
    },
  };
}
