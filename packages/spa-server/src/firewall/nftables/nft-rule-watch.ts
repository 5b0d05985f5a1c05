/** The daemon's rules as the kernel held them right after its setup: a later listing whose rules differ is damage, even when every chain keeps its count of rules. @module */
import type { NftTableState } from './nft-json.js';

/*
 * Why: the integrity check counts each chain's rules, and `nft replace rule inet spa input handle N
 * tcp dport 22 accept` keeps the count and the handle while it turns a drop into an accept. So each
 * setup (start, reload, repair) lists the table's rules once, terse (no set element is fetched), and
 * every check compares the rules it lists with those. The baseline is a read-back: a rule replaced
 * in the milliseconds between a setup's transaction and that listing is taken as the daemon's own
 * until the next setup (a listing that failed makes the next check ask for a setup again). Only
 * someone who can run nft can do that, and they can also stop the daemon; the check is there for
 * changes made afterwards, by hand or by another tool.
 */

/** At most one repair a minute for want of a baseline, should the setup's listing keep failing. */
const FORCE_GAP_MS = 60_000;

export class NftRuleWatch {
  readonly #read: () => Promise<NftTableState | undefined>;
  #rules: string | undefined;
  #reading: Promise<void> = Promise.resolve();
  /** Bumped by each remember(): only the latest setup's listing is kept. */
  #generation = 0;
  /** When changed() last asked for a setup for want of rules to compare with. */
  #forcedAt = Number.NEGATIVE_INFINITY;

  /** `read`: the table as the integrity check lists it (nft-integrity-read.ts, light when it can be). */
  constructor(read: () => Promise<NftTableState | undefined>) {
    this.#read = read;
  }

  /**
   * Takes the rules the kernel holds now as the daemon's own: called right after its setup's
   * transaction. Not waited for by the setup (a listing costs a few tens of milliseconds of nft, on a
   * start's way); changed() waits for it.
   */
  remember(): void {
    this.#rules = undefined;
    const generation = ++this.#generation;
    this.#reading = (async () => {
      let state: NftTableState | undefined;
      try {
        state = await this.#read();
      } catch {
        state = undefined;
      }
      // A flagged (dormant) table lists no rules: nothing to compare with.
      if (generation === this.#generation)
        this.#rules = state && !state.flagged ? fingerprint(state) : undefined;
    })();
  }

  /**
   * True when `state` (a check's listing) holds other rules than the setup left. When the setup's
   * listing failed there is nothing to compare with, and a later listing cannot be trusted in its
   * place (a rule replaced meanwhile keeps every count): the check then says changed, so that the
   * repair's setup lists its rules again; at most once a minute, should listings keep failing.
   */
  async changed(state: NftTableState, nowMs: number = Date.now()): Promise<boolean> {
    await this.#reading;
    if (this.#rules !== undefined) return fingerprint(state) !== this.#rules;
    if (nowMs - this.#forcedAt < FORCE_GAP_MS) return false;
    this.#forcedAt = nowMs;
    return true;
  }
}

/** Every chain's rules, chains by name: one string to compare. */
function fingerprint(state: NftTableState): string {
  const chains = [...(state.ruleExprs ?? new Map<string, readonly string[]>())].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return JSON.stringify(chains);
}
