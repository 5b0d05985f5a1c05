/** What an integrity check, or a status the daemon does not vouch for, reads of the nftables table: its skeleton when it can, its own listing otherwise. @module */
import type { IntactScope } from '../driver.js';
import { type NftList, readNftShape, readNftSkeleton } from './nft-inspect.js';
import type { NftTableState } from './nft-json.js';

export class NftIntegrityRead {
  readonly #list: NftList;
  readonly #table: string;
  /**
   * Set when a light read failed once. Its ruleset listing holds every inet table: one of someone
   * else's that nft cannot list must not turn each check into an error, so reads are full after it.
   */
  #noLight = false;

  constructor(list: NftList, table: string) {
    this.#list = list;
    this.#table = table;
  }

  async read(scope: IntactScope): Promise<NftTableState | undefined> {
    if (scope === 'light' && !this.#noLight) {
      try {
        return await readNftSkeleton(this.#list, this.#table);
      } catch {
        this.#noLight = true;
      }
    }
    return readNftShape(this.#list, this.#table);
  }
}

/**
 * The table's shape and `grantSets`' elements for a status the daemon does not vouch for (right after
 * a burst of grants, say): the skeleton, as a light check reads it (0.01 s against 0.75 s for the
 * table's own terse listing at 100,000 grants), or that listing when the ruleset cannot be listed.
 */
export async function readNftShapeLightFirst(
  list: NftList,
  table: string,
  grantSets: readonly string[],
): Promise<NftTableState | undefined> {
  try {
    return await readNftSkeleton(list, table, grantSets);
  } catch {
    return readNftShape(list, table, grantSets);
  }
}
