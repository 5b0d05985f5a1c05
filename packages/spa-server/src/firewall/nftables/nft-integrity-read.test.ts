/** The integrity read: light reads the ruleset, full reads the table, and a failed ruleset listing makes every later read full; a status's read takes the ruleset first too. */
import { describe, expect, it } from 'vitest';
import { NftIntegrityRead, readNftShapeLightFirst } from './nft-integrity-read.js';

const TABLE = 'spa';
const listing = (items: unknown[]): string => JSON.stringify({ nftables: items });
const ours = [
  { table: { family: 'inet', name: TABLE } },
  { chain: { family: 'inet', table: TABLE, name: 'input', type: 'filter', hook: 'input', prio: 0 } },
  { rule: { family: 'inet', table: TABLE, chain: 'input', expr: [] } },
];

/** A fake nft: records each listing asked for; the ruleset listing fails while `broken`. */
function fakeNft() {
  const asked: string[] = [];
  const state = { broken: false };
  const list = async (args: readonly string[]): Promise<string | undefined> => {
    asked.push(args.join(' '));
    if (args.includes('ruleset')) {
      if (state.broken) throw new Error('nft: someone else’s table cannot be listed');
      return listing(ours);
    }
    if (args.includes('table')) return listing(ours);
    return listing([]);
  };
  return { list, asked, state };
}

describe('NftIntegrityRead', () => {
  it('reads the ruleset when light and the table when full', async () => {
    const nft = fakeNft();
    const read = new NftIntegrityRead(nft.list, TABLE);
    expect(await read.read('light')).toBeDefined();
    expect(nft.asked.some((a) => a.includes('list ruleset inet'))).toBe(true);
    nft.asked.length = 0;
    expect(await read.read('full')).toBeDefined();
    expect(nft.asked.some((a) => a.includes('list ruleset'))).toBe(false);
    expect(nft.asked).toContain(`-t list table inet ${TABLE}`);
  });

  it('a failed ruleset listing falls back to the full read, then and for good', async () => {
    const nft = fakeNft();
    const read = new NftIntegrityRead(nft.list, TABLE);
    nft.state.broken = true;
    expect(await read.read('light')).toBeDefined();
    expect(nft.asked).toContain(`-t list table inet ${TABLE}`);
    nft.state.broken = false;
    nft.asked.length = 0;
    await read.read('light');
    expect(nft.asked.some((a) => a.includes('list ruleset'))).toBe(false);
  });

  it("a status's read takes the skeleton and the sets asked for, and the table's listing when the ruleset fails", async () => {
    const nft = fakeNft();
    const once = ['allow4_once', 'allow6_once'];
    expect(await readNftShapeLightFirst(nft.list, TABLE, once)).toBeDefined();
    expect(nft.asked).toContain('-t list ruleset inet');
    expect(nft.asked.some((a) => a.includes('list table'))).toBe(false);
    for (const set of once) expect(nft.asked).toContain(`list set inet ${TABLE} ${set}`);
    nft.state.broken = true;
    nft.asked.length = 0;
    expect(await readNftShapeLightFirst(nft.list, TABLE, once)).toBeDefined();
    expect(nft.asked).toContain(`-t list table inet ${TABLE}`);
    for (const set of once) expect(nft.asked).toContain(`list set inet ${TABLE} ${set}`);
  });

  it('a dormant table is there (flagged, so not whole), not missing', async () => {
    const dormant = async (args: readonly string[]): Promise<string | undefined> =>
      args.includes('ruleset')
        ? listing([{ table: { family: 'inet', name: TABLE, flags: 'dormant' } }])
        : listing([]);
    expect(await readNftShapeLightFirst(dormant, TABLE, [])).toMatchObject({ flagged: true });
  });
});
