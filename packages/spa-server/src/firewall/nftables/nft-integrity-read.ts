/** What an integrity check reads of the nftables table: its skeleton when the check is light, its own listing otherwise, and always the latter once a light read has failed. @module */
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
