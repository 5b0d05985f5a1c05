/** Which integrity check is due: the light one (the table's skeleton) while the kernel event stream vouches for everything since the last full one, the full one otherwise. @module */
import type { IntactScope } from '../firewall/driver.js';
import type { DaemonLog } from '../observability/log.js';
import { STREAM_SETTLE_MS } from './shape-witness.js';

/**
 * A full check at least this often, vouched or not: the table's own listing, as every check was
 * before the light one, which reads it out of a terse ruleset listing. A stream that silently
 * stopped reporting (a kernel or nft bug, events lost without the `# ERROR` line), or a listing that
 * differs on another nft version, is caught within this at most. 5 minutes
 * puts a full listing (1–2 s of nft CPU at 100,000 grants) at under 1% of one core, against 20–40%
 * for a full check every 5 s.
 */
export const FULL_CHECK_EVERY_MS = 5 * 60_000;
/**
 * A full check that was due only for its age and could not read the table (nft's listing of the
 * grant sets restarts at every change, so a sustained stream of grants keeps it from finishing
 * within its timeout) is tried again this much later; light checks go on meanwhile. Were every check
 * full after it, each would time out too: seconds of nft CPU in a row, no check of the skeleton,
 * and nothing for `status` to be told.
 */
export const FULL_RETRY_MS = 60_000;
/**
 * How long past its due time a full check may be put off by retries: a read that keeps failing for
 * longer (a stream of grants that does not end, or nft failing for any other reason) drops the vouch,
 * so every check is full and `status` reads the kernel. A stream that stopped reporting unnoticed is
 * caught within FULL_CHECK_EVERY_MS plus this (15 minutes) at most.
 */
export const FULL_OVERDUE_MAX_MS = 10 * 60_000;

/** Where the planner stood when a check began: pass it back to `done`. */
export interface CheckPlan {
  readonly scope: IntactScope;
  readonly generation: number;
  readonly atMs: number;
}

/**
 * Told by the event stream (change-watch.ts StreamListener) of every change to the table and of its
 * own starts and ends. A full check that found the table whole, begun while the stream was running
 * and settled, with no change reported while it read, lets later checks be light until the stream
 * reports a change, dies or restarts, or FULL_CHECK_EVERY_MS passes (then, while full reads fail,
 * until FULL_OVERDUE_MAX_MS more has passed: `done`).
 */
export class IntegrityPlanner {
  readonly #clock: () => number;
  readonly #fullEveryMs: number;
  readonly #log: DaemonLog | undefined;
  /** The last check's scope: only a change is logged (debug), not every 5 s. */
  #scope: IntactScope | undefined;
  #generation = 0;
  #watchingSince: number | undefined;
  /** When the last full check that vouches began, and the generation it saw. */
  #fullAt: number | undefined;
  #fullGeneration = -1;
  /** Set when an overdue full check could not read: light checks until then. */
  #retryFullAt: number | undefined;

  constructor(clock: () => number, log?: DaemonLog, fullEveryMs: number = FULL_CHECK_EVERY_MS) {
    this.#clock = clock;
    this.#log = log;
    this.#fullEveryMs = fullEveryMs;
  }

  /** The kernel reported a change that concerns the table (a deletion, an addition of a rule, chain or set). */
  changed(): void {
    this.#generation++;
  }

  /** The stream started or ended: what happened while none ran was not seen. */
  watching(on: boolean): void {
    this.#watchingSince = on ? this.#clock() : undefined;
    this.changed();
  }

  /** Call as a check starts reading. */
  begin(): CheckPlan {
    const now = this.#clock();
    const scope = this.#vouched(now) ? 'light' : 'full';
    if (scope !== this.#scope) this.#log?.event('debug', 'firewall.check-scope', { scope });
    this.#scope = scope;
    return { scope, generation: this.#generation, atMs: now };
  }

  /**
   * A check's outcome. Only a full one that found the table whole, with nothing reported meanwhile,
   * vouches. A full one that could not read (for any reason: a timeout under a stream of grants is
   * the expected one) keeps the last vouch, and is retried after FULL_RETRY_MS, when it was due for
   * its age alone and not overdue by FULL_OVERDUE_MAX_MS: the stream ran throughout and reported no
   * change since that vouch, as before the light checks that came between.
   */
  done(plan: CheckPlan, intact: boolean | undefined): void {
    if (intact === undefined && plan.scope === 'full' && this.#onlyOverdue(plan)) {
      this.#retryFullAt = this.#clock() + FULL_RETRY_MS;
      return;
    }
    if (plan.scope === 'full') this.#retryFullAt = undefined;
    if (intact !== true) {
      this.#fullAt = undefined;
      return;
    }
    const since = this.#watchingSince;
    const settled = since !== undefined && plan.atMs >= since + STREAM_SETTLE_MS;
    if (plan.scope === 'full' && settled && plan.generation === this.#generation) {
      this.#fullAt = plan.atMs;
      this.#fullGeneration = plan.generation;
    }
  }

  #vouched(now: number): boolean {
    const fullAt = this.#fullAt;
    if (this.#watchingSince === undefined || fullAt === undefined) return false;
    if (this.#fullGeneration !== this.#generation) return false;
    const ago = now - fullAt;
    // A clock stepped back vouches for nothing either.
    if (ago < 0) return false;
    if (ago < this.#fullEveryMs) return true;
    if (ago >= this.#fullEveryMs + FULL_OVERDUE_MAX_MS) return false;
    const retryAt = this.#retryFullAt;
    return retryAt !== undefined && now < retryAt && retryAt - now <= FULL_RETRY_MS;
  }

  /**
   * Whether the full check was due only for its age, and not for too long: the last vouch's stream
   * still runs, with nothing reported since.
   */
  #onlyOverdue(plan: CheckPlan): boolean {
    const fullAt = this.#fullAt;
    return (
      this.#watchingSince !== undefined &&
      fullAt !== undefined &&
      plan.atMs - fullAt >= this.#fullEveryMs &&
      plan.atMs - fullAt < this.#fullEveryMs + FULL_OVERDUE_MAX_MS &&
      // The same generation: no change reported, and no stream start or end (each bumps it).
      this.#fullGeneration === plan.generation &&
      plan.generation === this.#generation
    );
  }
}
