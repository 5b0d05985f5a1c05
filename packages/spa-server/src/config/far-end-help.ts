/** The daemon's thread's share of a load's agreements: free keys taken from the far end of the worker's chunks and derived here. @module */
import { KEY_SIZE, type ServerContext, uncheckedEd25519PublicToX25519Many } from 'spa-protocol';
import { deriveIntoSlot } from './agreement-derive.js';
import { type AgreementChunk, SLOT } from './agreement-slots.js';

/**
 * Keys taken at a time, while the worker makes the one the table needs: one field inversion for the
 * batch, under 1 ms of work.
 */
const BATCH_KEYS = 8;

/**
 * A cursor from the last chunk's last key down, the worker going up from the first: each key is
 * looked at once, and one this thread claims (FREE to MAIN) it derives as the worker would and marks
 * DONE, so the table takes it as one the worker derived.
 */
export class FarEndHelp {
  readonly #chunks: readonly AgreementChunk[];
  readonly #ctx: ServerContext;
  #chunk: number;
  #index: number;
  #derived = 0;

  /** `chunks`: those handed to the worker so far (later ones are left to it). */
  constructor(chunks: readonly AgreementChunk[], ctx: ServerContext) {
    this.#chunks = chunks;
    this.#ctx = ctx;
    this.#chunk = chunks.length - 1;
    this.#index = (chunks.at(-1)?.flags.length ?? 0) - 1;
  }

  /** Keys derived here (not the worker's). */
  get derived(): number {
    return this.#derived;
  }

  /** Claims up to BATCH_KEYS free keys, derives them and marks each DONE or FAILED; false when none was free. */
  take(): boolean {
    const taken: { chunk: AgreementChunk; index: number }[] = [];
    while (this.#chunk >= 0 && taken.length < BATCH_KEYS) {
      const chunk = this.#chunks[this.#chunk]!;
      if (this.#index < 0) {
        this.#chunk--;
        this.#index = (this.#chunks[this.#chunk]?.flags.length ?? 0) - 1;
        continue;
      }
      if (Atomics.compareExchange(chunk.flags, this.#index, SLOT.free, SLOT.main) === SLOT.free)
        taken.push({ chunk, index: this.#index });
      this.#index--;
    }
    if (taken.length === 0) return false;
    const us = uncheckedEd25519PublicToX25519Many(
      taken.map(({ chunk, index }) => chunk.keys.subarray(index * KEY_SIZE, (index + 1) * KEY_SIZE)),
    );
    taken.forEach(({ chunk, index }, k) => {
      const u = us[k];
      // A key past the byte checks always maps; one that did not is left to the table, as MAIN.
      if (!u) return;
      const outcome = deriveIntoSlot(this.#ctx, chunk, index, u);
      if (outcome === SLOT.done) this.#derived++;
      Atomics.store(chunk.flags, index, outcome);
    });
    return true;
  }
}
