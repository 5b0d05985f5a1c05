/** NftGateTags: the gate's tag set kept across a restart, then the difference sent; whole replacement when unknown, mostly changed, or changed underneath. */
import { describe, expect, it } from 'vitest';
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import { NftGateTags } from './nft-gate-tags.js';

const tag = (n: number): string => n.toString(16).padStart(32, '0');
const tags = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => tag(from + i));
const listing = (held: readonly string[]): string =>
  JSON.stringify({
    nftables: [{ set: { name: 'knock_tags', elem: held.map((t) => `0x${t.replace(/^0+/, '') || '0'}`) } }],
  });

/** A kernel stand-in: the set's contents, applying flush / add / delete commands as nft would. */
function kernel(initial: readonly string[] = []) {
  const set = new Set(initial);
  const sent: string[][] = [];
  let failDeletes = false;
  const run = async (commands: readonly string[]): Promise<void> => {
    sent.push([...commands]);
    for (const command of commands) {
      if (command.startsWith('flush set')) set.clear();
      const values = [...command.matchAll(/0x([0-9a-f]{32})/g)].map((m) => m[1]!);
      if (command.startsWith('add element')) for (const v of values) set.add(v);
      if (command.startsWith('delete element')) {
        if (failDeletes || values.some((v) => !set.has(v)))
          throw new ServerError(SERVER_ERROR_CODES.firewallCommandFailed, 'no such element');
        for (const v of values) set.delete(v);
      }
    }
  };
  return {
    set,
    sent,
    run,
    list: async () => listing([...set]),
    failDeletes: () => {
      failDeletes = true;
    },
  };
}

describe('NftGateTags', () => {
  it('a first setup keeps what the kernel holds; the first tags then go as a difference', async () => {
    const k = kernel(tags(0, 3000)); // a restart: the last run's tags
    const gate = new NftGateTags('spa', k.run, k.list);
    const plan = gate.beforeSetup();
    expect(plan.keepTags).toBe(true);
    expect(gate.afterSetup(plan)).toBe(false);
    await gate.set(tags(10, 3010), true);
    expect([...k.set].sort()).toEqual(tags(10, 3010));
    expect(k.sent.flat().some((c) => c.startsWith('flush set'))).toBe(false);
  });

  it('sends the difference while at most half the set is new (an epoch moving on), the whole set beyond', async () => {
    for (const [next, whole] of [
      [tags(1000, 3000), false], // two epochs held, one moved: half of them new
      [tags(1001, 3001), true],
      [tags(0, 1000), false], // three epochs down to one: only deletes
    ] as const) {
      const k = kernel(tags(0, 2000));
      const gate = new NftGateTags('spa', k.run, k.list);
      gate.afterSetup(gate.beforeSetup());
      await gate.set(next, true);
      expect([...k.set].sort()).toEqual(next);
      expect(
        k.sent.flat().some((c) => c.startsWith('flush set')),
        `${next.length} tags`,
      ).toBe(whole);
    }
  });

  it('replaces the set whole when it is empty, or when most tags changed (a restart after the epochs moved on)', async () => {
    for (const initial of [[], tags(0, 3000)]) {
      const k = kernel(initial);
      const gate = new NftGateTags('spa', k.run, k.list);
      gate.afterSetup(gate.beforeSetup());
      await gate.set(tags(5000, 8000), true);
      expect([...k.set].sort()).toEqual(tags(5000, 8000));
      expect(k.sent).toHaveLength(1);
      expect(k.sent[0]![0]).toBe('flush set inet spa knock_tags');
    }
  });

  it('falls back to the whole set when the difference fails (the set changed underneath)', async () => {
    const k = kernel(tags(0, 100));
    const gate = new NftGateTags('spa', k.run, k.list);
    gate.afterSetup(gate.beforeSetup());
    k.failDeletes();
    await gate.set(tags(1, 101), true);
    expect(k.sent[0]![0]).toMatch(/^delete element/);
    expect(k.sent.at(-1)![0]).toBe('flush set inet spa knock_tags');
    expect([...k.set].sort()).toEqual(tags(1, 101));
  });

  it('an unreadable kept set is replaced whole', async () => {
    const k = kernel(tags(0, 100));
    const gate = new NftGateTags('spa', k.run, async () => '{"nftables": [');
    gate.afterSetup(gate.beforeSetup());
    await gate.set(tags(0, 100), true);
    expect(k.sent[0]![0]).toBe('flush set inet spa knock_tags');
    expect([...k.set].sort()).toEqual(tags(0, 100));
  });

  it('tags given during the first setup are only kept, then installed after it', async () => {
    const k = kernel(tags(0, 10));
    const gate = new NftGateTags('spa', k.run, k.list);
    const plan = gate.beforeSetup();
    await gate.set(tags(2, 12), false);
    expect(k.sent).toEqual([]);
    expect(gate.afterSetup(plan)).toBe(true);
    await gate.set(gate.tags, true);
    expect([...k.set].sort()).toEqual(tags(2, 12));
  });

  it('once given, a setup keeps the set only when the kernel holds exactly the tags; after forget() it re-adds them', async () => {
    const k = kernel();
    const gate = new NftGateTags('spa', k.run, k.list);
    gate.afterSetup(gate.beforeSetup());
    await gate.set(tags(0, 5), true);
    const same = gate.beforeSetup();
    expect(same.keepTags).toBe(true);
    gate.afterSetup(same);
    gate.forget(); // a damaged table: the repair's setup must add them all
    expect(gate.beforeSetup().keepTags).toBe(false);
  });

  it('a setup after other tags were given (held differs from them) re-adds them', async () => {
    const k = kernel();
    const gate = new NftGateTags('spa', k.run, k.list);
    gate.afterSetup(gate.beforeSetup());
    await gate.set(tags(0, 5), true);
    await gate.set(tags(0, 6), false); // given while no table is installed: only kept
    expect(gate.beforeSetup().keepTags).toBe(false);
  });
});
