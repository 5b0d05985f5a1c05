/** The knock gate's tag set as the nftables driver keeps it in step with the kernel: the tags the daemon gave, what the kernel holds, and how a change gets there. @module */
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import { NFT_GATE_TAGS, nftTagCommands, nftTagDiff } from '../knock-gate.js';
import { type NftList, readNftTags } from './nft-inspect.js';

/** What a setup does with the tag set, and what it needs to hand back to afterSetup(). */
export interface GateSetupPlan {
  readonly tags: readonly string[];
  /** Leave the kernel's set as it is (no flush, no add). */
  readonly keepTags: boolean;
  readonly given: boolean;
}

export class NftGateTags {
  readonly #table: string;
  readonly #run: (commands: readonly string[]) => Promise<void>;
  readonly #list: NftList;
  /** The tags the kernel's gate should hold (hex): re-added by every setup, so a repair restores them. */
  #tags: readonly string[] = [];
  /** The tags the last successful transaction left in the kernel; undefined when not known. */
  #held: ReadonlySet<string> | undefined;
  /**
   * Whether the daemon has given its tags yet. Until it has, a setup leaves the kernel's tag set as it
   * is: empty in a new table, the previous run's tags on a restart. A large fleet's restart then does
   * not close the gate for the second its table takes to build.
   */
  #given = false;
  /**
   * The last setup kept a set this driver did not write (a restart's): the first set() reads it and
   * sends the difference, as after a reload, rather than all 30,000 of a large fleet's tags in one
   * transaction that grants would queue behind.
   */
  #unread = false;
  /** Bumped by forget() and beforeSetup(): a set() that finishes after either leaves #held alone. */
  #era = 0;

  /** `run`: one transaction, in order with the driver's other commands; `list`: `nft -j` listings. */
  constructor(table: string, run: (commands: readonly string[]) => Promise<void>, list: NftList) {
    this.#table = table;
    this.#run = run;
    this.#list = list;
  }

  /** What a setup (or rebuild) installs when it replaces the set. */
  get tags(): readonly string[] {
    return this.#tags;
  }

  /** What the kernel holds is not known any more (a damaged or removed table): the next change sends it all. */
  forget(): void {
    this.#held = undefined;
    this.#era++;
  }

  /** Before a setup's transaction: keep the kernel's set when it holds exactly the tags, or none were given yet. */
  beforeSetup(): GateSetupPlan {
    const tags = this.#tags;
    const given = this.#given;
    const held = this.#held;
    this.#held = undefined;
    this.#era++;
    return {
      tags,
      given,
      keepTags: !given || (held?.size === tags.length && tags.every((t) => held.has(t))),
    };
  }

  /**
   * After the setup's transaction succeeded. True when tags were given while it ran (they were only
   * kept): the caller then installs them with set(tags, true).
   */
  afterSetup(plan: GateSetupPlan): boolean {
    // Kept without being given: what the kernel holds is not known (a restart's tags, or none).
    this.#held = plan.given ? new Set(plan.tags) : undefined;
    this.#unread = !plan.given;
    return this.#tags !== plan.tags;
  }

  /**
   * Makes the kernel's set hold `tags`: the difference from what it holds, a transaction per piece
   * (grants go between), or the whole set in one transaction (flush, then add: atomic for packets)
   * when what it holds is unknown or mostly different. Before the first setup (`installed` false)
   * the tags are only kept: the setup installs them with the table, so a start never drops a knock
   * for want of its tag.
   */
  async set(tags: readonly string[], installed: boolean): Promise<void> {
    this.#given = true;
    const next = new Set(tags);
    this.#tags = [...next];
    if (!installed) return;
    const era = this.#era;
    let held = this.#held;
    this.#held = undefined;
    if (held === undefined && this.#unread) {
      this.#unread = false;
      held = await readNftTags(this.#list, this.#table).catch(() => undefined);
    }
    // The difference while at most half the set is to be added: the usual update (an epoch, a
    // reload, a short restart) adds a fraction of it, in pieces grants pass between. A set that is
    // empty (a new table), unknown, or mostly new (a restart after the epochs moved on) is replaced
    // whole: one nft process for 30,000 tags, not 60,000 deletes and adds in pieces. Deletes are not
    // counted: nothing waits for them.
    if (held && held.size > 0 && 2 * added(held, next) <= next.size) {
      try {
        for (const command of nftTagDiff(this.#table, held, next)) await this.#run([command]);
        if (era === this.#era) this.#held = next;
        return;
      } catch (error) {
        if (!(error instanceof ServerError) || error.code !== SERVER_ERROR_CODES.firewallCommandFailed)
          throw error;
        // The set changed underneath (flushed, edited): replace it whole, below.
      }
    }
    await this.#run([
      `flush set inet ${this.#table} ${NFT_GATE_TAGS}`,
      ...nftTagCommands(this.#table, this.#tags),
    ]);
    if (era === this.#era) this.#held = next;
  }
}

/** Tags of `next` the kernel does not hold. */
function added(held: ReadonlySet<string>, next: ReadonlySet<string>): number {
  let n = 0;
  for (const t of next) if (!held.has(t)) n++;
  return n;
}
