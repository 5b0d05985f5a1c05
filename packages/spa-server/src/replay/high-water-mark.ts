/** The durable high-water mark: written ahead of the clock in the background, so a knock never waits for a disk sync. @module */
import type { MarkFile } from './mark-file.js';

/** How often the mark is moved ahead by default. */
export const MARK_EVERY_MS = 1000;
/**
 * How far ahead of clock + futureWindow each mark is written. Larger than the period, so that the
 * mark in force is still ahead of every acceptable timestamp when the next one lands; the rest
 * absorbs a slow disk. After an unclean stop the restart refuses knocks up to this much longer.
 */
export const MARK_LEAD_MS = 3000;

export interface HighWaterOptions {
  readonly clock: () => number;
  readonly futureWindowMs: number;
  readonly leadMs?: number;
}

/*
 * Invariant: `durableMs` is only ever a value already on stable storage, and it only grows while the
 * run lasts. The store accepts a knock only when its timestamp is below `durableMs`, so after a
 * power loss the mark on disk is above every knock the run accepted, whatever its clock did.
 */
export class HighWaterMark {
  readonly #file: MarkFile;
  readonly #clock: () => number;
  readonly #leadMs: number;
  #futureWindowMs: number;
  #durableMs = Number.NEGATIVE_INFINITY;
  /** The highest mark on disk, which a close keeps. */
  #writtenMs = Number.NEGATIVE_INFINITY;
  #chain: Promise<void> = Promise.resolve();
  /** An advance waiting for the one in flight, which later callers join. */
  #queued: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(file: MarkFile, options: HighWaterOptions) {
    this.#file = file;
    this.#clock = options.clock;
    this.#futureWindowMs = options.futureWindowMs;
    this.#leadMs = options.leadMs ?? MARK_LEAD_MS;
  }

  /** Timestamps below this may be accepted. */
  get durableMs(): number {
    return this.#durableMs;
  }

  get leadMs(): number {
    return this.#leadMs;
  }

  set futureWindowMs(ms: number) {
    this.#futureWindowMs = ms;
  }

  /** At start, before the first accept: clears the clean flag (synced) and sets the first mark. */
  async begin(): Promise<void> {
    const target = this.#target();
    await this.#file.begin(target);
    this.#writtenMs = target;
    this.#durableMs = target;
  }

  /**
   * Moves the mark ahead of clock + futureWindow and resolves once it is synced. Never moves it back
   * (a clock stepped back leaves it where it is). Rejects when the file cannot be written: the mark
   * in force stays, and knocks beyond it are refused until a write succeeds.
   */
  advance(): Promise<void> {
    // Callers while a write is queued share it: it takes the clock when it starts, which covers every
    // knock that waited for it, so a disk stall costs one more sync, not one per waiting knock.
    if (this.#queued) return this.#queued;
    const run = this.#chain.then(async () => {
      this.#queued = undefined;
      const target = this.#target();
      if (this.#closed || target <= this.#durableMs) return;
      await this.#file.write(target, false);
      this.#writtenMs = target;
      if (!this.#closed) this.#durableMs = target;
    });
    this.#queued = run;
    this.#chain = run.catch(() => {});
    return run;
  }

  /** Moves the mark every `everyMs` in the background; a failure is reported and retried next time. */
  every(everyMs: number, onError: (error: unknown) => void): void {
    this.#timer = setInterval(() => void this.advance().catch(onError), everyMs);
    this.#timer.unref();
  }

  /** Stops moving the mark and refuses every later knock; resolves once no mark write is in flight. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#closed = true;
    this.#durableMs = Number.NEGATIVE_INFINITY;
    await this.#chain;
  }

  /**
   * Stops, and with `clean` writes the clean-stop flag (synced) before closing the file: call it so
   * only once everything the run accepted is durable in replay.bin.
   */
  async close(clean: boolean): Promise<void> {
    await this.stop();
    try {
      if (clean) await this.#file.write(this.#writtenMs, true);
    } finally {
      await this.#file.close();
    }
  }

  #target(): number {
    return this.#clock() + this.#futureWindowMs + this.#leadMs;
  }
}
