/** A first start's key agreements made ahead in a worker thread, while the daemon's thread reads and checks the clients. @module */
import { Worker } from 'node:worker_threads';
import { nodeBackend } from 'spa-node';
import { type ClientSecrets, createServerContext, KEY_SIZE } from 'spa-protocol';
import { describeSystemError as describe } from '../shared/describe-system-error.js';
import {
  type AgreementChunk,
  type AgreementWorkerData,
  idOf,
  newChunk,
  SLOT,
  SLOT_SECRETS_SIZE,
} from './agreement-slots.js';
import { FarEndHelp } from './far-end-help.js';

/**
 * Fewer new keys than this are derived on the daemon's thread alone: a worker's start (tens of ms,
 * a few MB) would cost about what it saves.
 */
export const AHEAD_MIN_KEYS = 512;
/** Keys per chunk handed to the worker: ~20 ms of its work, and one field inversion (a Montgomery batch). */
const CHUNK_KEYS = 256;
/**
 * How long the daemon's thread waits for a key the worker is deriving now (~70 µs) before deriving
 * it itself: only a stalled or dead worker makes it wait this long, once per key at most.
 */
const WAIT_MS = 20;
/**
 * Batches at most per key asked for: the worker makes a key in ~0.1 ms, so one batch is enough but
 * when it is descheduled. A stalled worker then costs a reload's slice ~2 ms and WAIT_MS, not the
 * time this thread would take to derive every key left.
 */
const HELP_BATCHES = 2;

/** The worker's bundled text (scripts/bundle.mjs); undefined when the sources run unbundled. */
export const AGREEMENT_WORKER_SOURCE: string | undefined =
  typeof __SPA_AGREEMENT_WORKER__ === 'string' ? __SPA_AGREEMENT_WORKER__ : undefined;

/**
 * X25519 and two HKDFs per key are most of a fleet's first start (10,000 keys: ~0.6 s on one core),
 * and until now ran only once the table was built. Here each key is offered as soon as its file is
 * read; past AHEAD_MIN_KEYS a worker thread derives them in order while this thread reads the rest,
 * checks them and sets up the firewall, and during the build this thread takes what is left, from
 * the far end while the worker goes on from the near one: each key is claimed through a shared flag
 * by whichever gets there first, so none is derived twice. Both derive with the same function of
 * the same bytes (agreement-derive.ts), into shared memory that is wiped once the table is built;
 * the worker gets a copy of the server's secret key and is terminated then. A key is trusted
 * exactly as one derived here would be: its §1 checks are made by the table (the byte checks again,
 * the subgroup check deferred). The worker failing, or not starting, costs time, never a key: this
 * thread derives whatever the worker did not.
 */
export class AgreementsAhead {
  readonly #source: string;
  #serverSecretKey: Uint8Array | undefined;
  #worker: Worker | undefined;
  #dead = false;
  /** Why the worker did not start or ended before finish (for one warning): its keys were left to this thread. */
  #failure: string | undefined;
  #finished = false;
  /** Offered, not yet handed to the worker: held until AHEAD_MIN_KEYS, then CHUNK_KEYS at a time. */
  #held: { readonly id: string; readonly key: Uint8Array }[] = [];
  readonly #offered = new Set<string>();
  /** Held keys this thread asked for before they were handed: handed as this thread's. */
  readonly #claimed = new Set<string>();
  readonly #slots = new Map<string, { readonly chunk: AgreementChunk; readonly index: number }>();
  readonly #chunks: AgreementChunk[] = [];
  readonly #minKeys: number;
  /** This thread's share, from the far end (made at its first key). */
  #farEnd: FarEndHelp | undefined;

  constructor(serverSecretKey: Uint8Array, source: string, minKeys = AHEAD_MIN_KEYS) {
    this.#serverSecretKey = serverSecretKey.slice();
    this.#source = source;
    this.#minKeys = minKeys;
  }

  /** A key (decoded, past the byte checks) that the table will need and no cache holds. */
  offer(publicKey: Uint8Array): void {
    if (this.#finished || this.#dead) return;
    const id = idOf(publicKey);
    if (this.#offered.has(id)) return;
    this.#offered.add(id);
    this.#held.push({ id, key: publicKey.slice() });
    if (this.#worker === undefined && this.#held.length < this.#minKeys) return;
    if (this.#held.length >= CHUNK_KEYS) this.#hand(false);
  }

  /** No more offers for this load: the last keys go to the worker, or, short of AHEAD_MIN_KEYS, stay here. */
  offersDone(): void {
    if (this.#worker !== undefined) this.#hand(true);
    this.#held = [];
  }

  /**
   * The key's secrets when the worker derived them. Otherwise undefined, and the key is this
   * thread's to derive from then on: the worker skips it. For a key the worker is deriving at this
   * moment, this thread derives free keys from the far end meanwhile (HELP_BATCHES at most), then
   * waits (WAIT_MS at most).
   */
  known(publicKey: Uint8Array): ClientSecrets | undefined {
    if (this.#offered.size === 0) return undefined;
    const id = idOf(publicKey);
    const slot = this.#slots.get(id);
    if (!slot) {
      // Not handed to the worker yet: it never will be as a key of its own.
      if (this.#offered.has(id) && !this.#finished) this.#claimed.add(id);
      return undefined;
    }
    const { flags, secrets } = slot.chunk;
    const i = slot.index;
    for (let helped = 0, waited = false; ; ) {
      const was = Atomics.compareExchange(flags, i, SLOT.free, SLOT.main);
      if (was === SLOT.done) {
        const at = i * SLOT_SECRETS_SIZE;
        // slice: copies out of the shared memory, which is wiped after the build. Two small
        // copies, not views of one: a view needs its buffer, which V8 moves off the heap.
        return {
          tagKey: secrets.slice(at, at + KEY_SIZE),
          macKey: secrets.slice(at + KEY_SIZE, at + 2 * KEY_SIZE),
        };
      }
      // FREE (now this thread's), this thread's already, or FAILED: derived and reported here.
      if (was !== SLOT.worker || this.#dead || waited) return undefined;
      // The worker makes this key now. Rather than wait, this thread takes keys from the far end:
      // following the worker key by key, it would take none (the worker claims the next at once).
      if (helped < HELP_BATCHES && this.#help()) {
        helped++;
        continue;
      }
      Atomics.wait(flags, i, SLOT.worker, WAIT_MS);
      waited = true;
    }
  }

  /** Whether known() would hand these bytes' secrets over: derived, or being derived by the worker. Claims nothing. */
  knows(publicKey: Uint8Array): boolean {
    if (this.#offered.size === 0) return false;
    const slot = this.#slots.get(idOf(publicKey));
    if (!slot) return false;
    const state = Atomics.load(slot.chunk.flags, slot.index);
    return state === SLOT.done || state === SLOT.worker;
  }

  /** Keys handed to the worker (each then derived by it or by this thread); 0 once finished. */
  get handed(): number {
    return this.#slots.size;
  }

  /** Why the worker failed, when it did (not started, an error, an early exit); undefined otherwise. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** Keys handed to the worker that neither thread has derived or claimed yet (tests). */
  get outstanding(): number {
    let left = 0;
    for (const { flags } of this.#chunks) {
      for (let i = 0; i < flags.length; i++) {
        const state = Atomics.load(flags, i);
        if (state === SLOT.free || state === SLOT.worker) left++;
      }
    }
    return left;
  }

  /** Ends the worker and wipes the shared secrets and the key copy; returns how many keys the worker derived. */
  finish(): number {
    if (this.#finished) return 0;
    this.#finished = true;
    // Every key still free becomes this thread's, so the worker starts no other; the one it is
    // deriving now (~0.1 ms) is waited for before it is terminated, so that it stores its flag and
    // its bytes are wiped with the rest. Terminated first, the worker would leave that key WORKER,
    // never notified, and this thread would wait WAIT_MS for nothing.
    for (const { flags } of this.#chunks)
      for (let i = 0; i < flags.length; i++) Atomics.compareExchange(flags, i, SLOT.free, SLOT.main);
    let derived = 0;
    for (const { flags } of this.#chunks) {
      for (let i = 0; i < flags.length; i++) {
        if (Atomics.load(flags, i) === SLOT.worker && !this.#dead)
          Atomics.wait(flags, i, SLOT.worker, WAIT_MS);
        if (Atomics.load(flags, i) === SLOT.done) derived++;
      }
    }
    // Wiped now, and again once the worker has stopped: a worker descheduled past WAIT_MS may still
    // write the key it was on before the termination lands.
    const shared = this.#chunks.map((c) => c.secrets);
    const wipe = (): void => {
      for (const secrets of shared) secrets.fill(0);
    };
    wipe();
    this.#worker?.terminate().then(wipe, wipe);
    this.#serverSecretKey?.fill(0);
    this.#serverSecretKey = undefined;
    const helped = this.#farEnd?.derived ?? 0;
    this.#farEnd = undefined; // its context holds the same key, wiped above
    this.#slots.clear();
    this.#claimed.clear();
    this.#offered.clear();
    this.#chunks.length = 0;
    this.#held = [];
    return derived - helped;
  }

  /** A batch of free keys from the far end, derived here; false when none is left free. */
  #help(): boolean {
    const serverSecretKey = this.#serverSecretKey;
    if (!serverSecretKey) return false;
    this.#farEnd ??= new FarEndHelp(this.#chunks, createServerContext(nodeBackend, serverSecretKey));
    return this.#farEnd.take();
  }

  #start(): boolean {
    const serverSecretKey = this.#serverSecretKey;
    if (!serverSecretKey) return false;
    try {
      const workerData: AgreementWorkerData = { serverSecretKey };
      this.#worker = new Worker(this.#source, { eval: true, workerData });
    } catch (error) {
      this.#dead = true;
      this.#failure = describe(error);
      return false;
    }
    // Never what keeps the process alive; an error in it leaves the keys to this thread.
    this.#worker.unref();
    this.#worker.on('error', (error) => {
      this.#dead = true;
      this.#failure ??= describe(error);
    });
    this.#worker.on('exit', (code) => {
      this.#dead = true;
      if (!this.#finished) this.#failure ??= `exited with code ${code}`;
    });
    return true;
  }

  /** Hands the held keys to the worker CHUNK_KEYS at a time (all of them when `all`), starting it first. */
  #hand(all: boolean): void {
    if (this.#worker === undefined && !this.#start()) return;
    while (this.#held.length >= CHUNK_KEYS || (all && this.#held.length > 0)) {
      const batch = this.#held.splice(0, CHUNK_KEYS);
      const chunk = newChunk(batch.map((b) => b.key));
      batch.forEach(({ id }, i) => {
        if (this.#claimed.has(id)) chunk.flags[i] = SLOT.main;
        this.#slots.set(id, { chunk, index: i });
      });
      this.#chunks.push(chunk);
      this.#worker?.postMessage(chunk);
    }
  }
}
