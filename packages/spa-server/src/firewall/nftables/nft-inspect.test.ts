/** readNftTags: the knock gate's tags as nft 1.0.6 lists them, or nothing to trust. */
import { describe, expect, it } from 'vitest';
import { readNftTags } from './nft-inspect.js';

const listing = (elem: unknown): string =>
  JSON.stringify({
    nftables: [
      { metainfo: { version: '1.0.6' } },
      { set: { family: 'inet', name: 'knock_tags', table: 'spa', type: 'integer', handle: 12, elem } },
    ],
  });

describe('readNftTags', () => {
  it('gives each tag as 32 hex digits, the leading zeros nft leaves out put back', async () => {
    // As nft 1.0.6 prints them: 0x plus the value without its leading zeros.
    const tags = await readNftTags(
      async () => listing(['0xd869c9d409d2e089fb15cd535f26', `0x${'ab'.repeat(16)}`]),
      'spa',
    );
    expect([...tags!]).toEqual([`0000d869c9d409d2e089fb15cd535f26`, 'ab'.repeat(16)]);
  });

  it('an empty set is empty; a set without elements listed is empty too', async () => {
    expect((await readNftTags(async () => listing([]), 'spa'))?.size).toBe(0);
    expect((await readNftTags(async () => listing(undefined), 'spa'))?.size).toBe(0);
  });

  it('is undefined (replace the set whole) for a missing set, bad JSON or any element not a bare value', async () => {
    expect(await readNftTags(async () => undefined, 'spa')).toBeUndefined();
    expect(await readNftTags(async () => '{"nftables": [', 'spa')).toBeUndefined();
    for (const odd of [{ elem: { val: '0x1', timeout: 5 } }, 42, '0xZZ', `0x${'1'.repeat(33)}`, '1234']) {
      expect(
        await readNftTags(async () => listing(['0x1', odd]), 'spa'),
        JSON.stringify(odd),
      ).toBeUndefined();
    }
  });

  it('asks for the gate set of the table named', async () => {
    const asked: (readonly string[])[] = [];
    await readNftTags(async (args) => {
      asked.push(args);
      return listing([]);
    }, 'spa_e2e');
    expect(asked).toEqual([['list', 'set', 'inet', 'spa_e2e', 'knock_tags']]);
  });
});
