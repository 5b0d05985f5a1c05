/** Which integrity check is due: the light one (the table's skeleton) while the kernel event stream vouches for everything since the last full one, the full one otherwise. @module */
import type { IntactScope } from '../firewall/driver.js';
import type { DaemonLog } from '../observability/log.js';
import { STREAM_SETTLE_MS } from './shape-witness.js';

/**
 * A full check at least this often, vouched or not. The light check reads no set element, and the
 * event stream is the only witness of their deletion (`nft flush set`, `nft delete element`): a
 * stream that silently stopped reporting (a kernel or nft bug, events lost without the `# ERROR`
 * line) would leave grants missing, or a `protected` port gone, for this long at most. 5 minutes
 * puts a full listing (1–2 s of nft CPU at 100,000 grants) at under 1% of one core, against 20–40%
 * for a full check every 5 s; a client that lost its grant knocks again well before.
 */
export const FULL_CHECK_EVERY_MS = 5 * 60_000;

/**
 * A grant element deleted (the daemon's own revoke prints the same line as `nft delete element`)
 * makes a full check due, but not sooner than this after the last one: a close request every second
 * would otherwise bring back a full check every 5 s (and a parse of every grant). A grant deleted
 * underneath closes, never opens: it is back within this plus one period.
 */
export const LOSS_RECHECK_MS = 15_000;

/** Where the planner stood when a check began: pass it back to `done`. */
export interface CheckPlan {
  readonly scope: IntactScope;
  readonly generation: number;
  /** Grant losses reported before it began. */
  readonly lost: number;
  readonly atMs: number;
}

/**
 * Told by the event stream (change-watch.ts StreamListener) of every change to the table and of its
 * own starts and ends. A full check that found the table whole, begun while the stream was running
 * and settled, with no change reported while it read, lets later checks be light until the stream
 * reports a change, dies or restarts, or FULL_CHECK_EVERY_MS passes; a grant loss, LOSS_RECHECK_MS
 * after the last full check.
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
  #lost = 0;
  /** The losses the last full check's grant read covered. */
  #fullLost = 0;

  constructor(clock: () => number, log?: DaemonLog, fullEveryMs: number = FULL_CHECK_EVERY_MS) {
    this.#clock = clock;
    this.#log = log;
    this.#fullEveryMs = fullEveryMs;
  }

  /** The kernel reported a change that concerns the table (a deletion, an addition of a rule, chain or set). */
  changed(): void {
    this.#generation++;
  }

  /** A grant element was deleted: only a full check reads the grants (LOSS_RECHECK_MS). */
  lost(): void {
    this.#lost++;
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
    return { scope, generation: this.#generation, lost: this.#lost, atMs: now };
  }

  /** A check's outcome. Only a full one that found the table whole, with nothing reported meanwhile, vouches. */
  done(plan: CheckPlan, intact: boolean | undefined): void {
    if (intact !== true) {
      this.#fullAt = undefined;
      return;
    }
    const since = this.#watchingSince;
    const settled = since !== undefined && plan.atMs >= since + STREAM_SETTLE_MS;
    // Losses reported while it read stay due (LOSS_RECHECK_MS after it): its read may predate them.
    if (plan.scope === 'full' && settled && plan.generation === this.#generation) {
      this.#fullAt = plan.atMs;
      this.#fullGeneration = plan.generation;
      this.#fullLost = plan.lost;
    }
  }

  #vouched(now: number): boolean {
    const fullAt = this.#fullAt;
    if (this.#watchingSince === undefined || fullAt === undefined) return false;
    if (this.#fullGeneration !== this.#generation) return false;
    const ago = now - fullAt;
    // A clock stepped back vouches for nothing either.
    if (ago < 0 || ago >= this.#fullEveryMs) return false;
    return this.#fullLost === this.#lost || ago < LOSS_RECHECK_MS;
  }
}
