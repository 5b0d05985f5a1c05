/** Long synchronous work on the packet path's thread, cut into slices with a turn of the event loop between them. @module */
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Work between two turns of the event loop, in ms. A reload runs several pieces of work at once (the
 * directory, the client table, the key cache, the kernel's gate, the background key checks), and a
 * turn runs a slice of each; a knock that comes meanwhile needs a few turns (its grant waits for the
 * firewall's reply), so each slice is short.
 */
export const SLICE_MS = 5;

/** Steps between two looks at the clock: a look costs little, but not nothing. */
const STEP = 256;

/**
 * One piece of work's clock: `if (turns.due()) await turns.pause()` after each unit of work gives the
 * event loop a turn (datagrams read, grants answered) once `sliceMs` have passed since the last one.
 * A knock then waits for one slice of the work, not for all of it. Synchronous when not due: an
 * await per unit would cost microtasks by the ten thousand.
 */
export class Turns {
  readonly #sliceMs: number;
  readonly #now: () => number;
  #start: number;
  #steps = 0;

  constructor(sliceMs = SLICE_MS, now: () => number = () => performance.now()) {
    this.#sliceMs = sliceMs;
    this.#now = now;
    this.#start = now();
  }

  /** Counts one unit of work; true when the slice has run its time. */
  due(): boolean {
    return ++this.#steps % STEP === 0 && this.#now() - this.#start >= this.#sliceMs;
  }

  /** A turn of the event loop; the next slice starts when it ends. */
  async pause(): Promise<void> {
    await nextTurn();
    this.#start = this.#now();
  }
}
