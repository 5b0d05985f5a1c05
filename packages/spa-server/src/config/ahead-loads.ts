/** The key cache's hand-off to each load's agreement worker: one load at a time, and what the last one did. @module */
import type { ClientSecrets } from 'spa-protocol';
import { AGREEMENT_WORKER_SOURCE, AgreementsAhead } from './agreements-ahead.js';

/**
 * From start until finish, keys offered that no cache holds may be derived in a worker thread
 * (agreements-ahead.ts); after finish, how many the last load handed over and its worker derived,
 * and why it failed if it did, stay for the log.
 */
export class AheadLoads {
  readonly #source: string | undefined;
  #current: AgreementsAhead | undefined;
  /** The last finished load's (no secret left in it), until its failure is taken. */
  #finished: AgreementsAhead | undefined;
  #handed = 0;
  #derived = 0;

  /** `source`: the worker's text; without it every key no cache holds is derived on the daemon's thread. */
  constructor(source: string | undefined = AGREEMENT_WORKER_SOURCE) {
    this.#source = source;
  }

  /** Starts a load's agreements ahead, ending any earlier one's. */
  start(serverSecretKey: Uint8Array): void {
    this.finish();
    if (this.#source !== undefined) this.#current = new AgreementsAhead(serverSecretKey, this.#source);
  }

  /** Whether a load is under way: its keys are worth offering. */
  get active(): boolean {
    return this.#current !== undefined;
  }

  /** A key (decoded, past the byte checks) that the table will need and no cache holds. */
  offer(publicKey: Uint8Array): void {
    this.#current?.offer(publicKey);
  }

  /** The load has offered every key. */
  offersDone(): void {
    this.#current?.offersDone();
  }

  /** The worker's secrets for these bytes, claiming the key otherwise (AgreementsAhead.known). */
  known(publicKey: Uint8Array): ClientSecrets | undefined {
    return this.#current?.known(publicKey);
  }

  /** Whether known() would give secrets for these bytes; claims nothing. */
  knows(publicKey: Uint8Array): boolean {
    return this.#current?.knows(publicKey) ?? false;
  }

  /** Once the table is built (or the load failed): ends the worker and wipes what it derived. */
  finish(): void {
    const ahead = this.#current;
    this.#current = undefined;
    if (!ahead) return;
    this.#handed = ahead.handed;
    this.#derived = ahead.finish();
    this.#finished = ahead;
  }

  /** How many keys the last finished load handed to its worker (0 without one). */
  get handed(): number {
    return this.#handed;
  }

  /** How many of them its worker derived (the daemon's thread derived the rest). */
  get derived(): number {
    return this.#derived;
  }

  /**
   * Why the last finished load's worker failed, once (for one warning); undefined when it did not.
   * Read from it now, not at finish: its error event may come after the table was built.
   */
  takeFailure(): string | undefined {
    const failure = this.#finished?.failure;
    if (failure !== undefined) this.#finished = undefined;
    return failure;
  }
}
