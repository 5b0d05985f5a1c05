/** The daemon's rules as the kernel held them right after its setup: a later listing whose rules differ is damage, even when every chain keeps its count of rules. @module */
import type { NftList } from './nft-inspect.js';
import { readNftShape, readNftSkeleton } from './nft-inspect.js';
import type { NftTableState } from './nft-json.js';

/*
 * The integrity check counts each chain's rules. `nft replace rule inet spa input handle N tcp dport
 * 22 accept` keeps the count (and the handle), and turns a drop into an accept: the port is open to
 * everyone. The kernel reports it as a deletion then an addition, so the daemon checks at once, and
 * found nothing wrong. Each setup (start, reload, repair) now lists the table's rules once, terse
 * (no set element is fetched), and every check compares the rules it lists with those.
 */
export class NftRuleWatch {
  readonly #list: NftList;
  readonly #table: string;
  #rules: string | undefined;
  #reading: Promise<void> = Promise.resolve();
  /** Bumped by each remember(): only the latest setup's listing is kept. */
  #generation = 0;

  constructor(list: NftList, table: string) {
    this.#list = list;
    this.#table = table;
  }

  /**
   * Takes the rules the kernel holds now as the daemon's own: called right after its setup's
   * transaction. Not waited for by the setup (a listing costs a few tens of milliseconds of nft, on a
   * start's way); changed() waits for it. A failed read compares nothing until the next setup.
   */
  remember(): void {
    this.#rules = undefined;
    const generation = ++this.#generation;
    this.#reading = (async () => {
      let state: NftTableState | undefined;
      try {
        state = await readNftSkeleton(this.#list, this.#table).catch(() =>
          readNftShape(this.#list, this.#table),
        );
      } catch {
        state = undefined;
      }
      if (generation === this.#generation) this.#rules = state && fingerprint(state);
    })();
  }

  /** True when `state` (a check's listing) holds other rules than the setup left. */
  async changed(state: NftTableState): Promise<boolean> {
    await this.#reading;
    return this.#rules !== undefined && fingerprint(state) !== this.#rules;
  }
}

/** Every chain's rules, chains by name: one string to compare. */
function fingerprint(state: NftTableState): string {
  const chains = [...(state.ruleExprs ?? new Map<string, readonly string[]>())].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return JSON.stringify(chains);
}
