/** Reading nft's JSON listing: grants with client and time left, and a table that lost a part. */
import { describe, expect, it } from 'vitest';
import { flaggedTableListing, isNftTableIntact, parseNftTable } from './nft-json.js';

// Captured from `nft -j list table inet spa` (nftables 1.0.6) after setup and four grants (two of
// them port ranges) and a one-shot grant (10.0.0.3), plus an element without timeout added by hand
// (10.0.0.2).
const LISTING = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
    { table: { family: 'inet', name: 'spa', handle: 3 } },
    {
      set: {
        family: 'inet',
        name: 'allow4',
        table: 'spa',
        type: ['ipv4_addr', 'inet_proto', 'inet_service'],
        handle: 1,
        size: 65536,
        flags: ['timeout'],
        elem: [
          { elem: { val: { concat: ['10.0.0.1', 'tcp', 22] }, timeout: 50, expires: 49, comment: 'alice' } },
          { concat: ['10.0.0.2', 'tcp', 22] },
        ],
      },
    },
    {
      set: {
        family: 'inet',
        name: 'allow6',
        table: 'spa',
        type: ['ipv6_addr', 'inet_proto', 'inet_service'],
        handle: 2,
        size: 65536,
        flags: ['timeout'],
        elem: [
          { elem: { val: { concat: ['fd77::1', 'udp', 53] }, timeout: 30, expires: 29, comment: 'c@d.e' } },
        ],
      },
    },
    {
      set: {
        family: 'inet',
        name: 'protected',
        table: 'spa',
        type: ['inet_proto', 'inet_service'],
        handle: 3,
        size: 65536,
        elem: [{ concat: ['tcp', 22] }, { concat: ['udp', 53] }],
      },
    },
    {
      set: {
        family: 'inet',
        name: 'allow4_range',
        table: 'spa',
        type: ['ipv4_addr', 'inet_proto', 'inet_service'],
        handle: 10,
        size: 65536,
        flags: ['interval', 'timeout'],
        elem: [
          {
            elem: {
              val: { concat: ['10.0.0.1', 'tcp', { range: [8000, 8010] }] },
              timeout: 60,
              expires: 59,
              comment: 'alice',
            },
          },
        ],
      },
    },
    {
      set: {
        family: 'inet',
        name: 'allow6_range',
        table: 'spa',
        type: ['ipv6_addr', 'inet_proto', 'inet_service'],
        handle: 11,
        size: 65536,
        flags: ['interval', 'timeout'],
        elem: [
          {
            elem: {
              val: { concat: ['fd77::1', 'udp', { range: [9000, 9001] }] },
              timeout: 60,
              expires: 58,
              comment: 'c@d.e',
            },
          },
        ],
      },
    },
    {
      set: {
        family: 'inet',
        name: 'protected_range',
        table: 'spa',
        type: ['inet_proto', 'inet_service'],
        handle: 12,
        size: 65536,
        flags: ['interval'],
        elem: [{ concat: ['tcp', { range: [8000, 8010] }] }, { concat: ['udp', { range: [9000, 9001] }] }],
      },
    },
    {
      set: {
        family: 'inet',
        name: 'allow4_once',
        table: 'spa',
        type: ['ipv4_addr', 'inet_proto', 'inet_service'],
        handle: 17,
        size: 65536,
        flags: ['timeout'],
        elem: [
          { elem: { val: { concat: ['10.0.0.3', 'tcp', 22] }, timeout: 40, expires: 39, comment: 'carol' } },
        ],
      },
    },
    {
      set: {
        family: 'inet',
        name: 'allow6_once',
        table: 'spa',
        type: ['ipv6_addr', 'inet_proto', 'inet_service'],
        handle: 18,
        size: 65536,
        flags: ['timeout'],
      },
    },
    {
      chain: {
        family: 'inet',
        table: 'spa',
        name: 'input',
        handle: 4,
        type: 'filter',
        hook: 'input',
        prio: 0,
        policy: 'accept',
      },
    },
    ...[5, 6, 7, 8, 19, 20, 9, 13, 14, 15, 16].map((handle) => ({
      rule: { family: 'inet', table: 'spa', chain: 'input', handle, expr: [] },
    })),
    ...['forward4', 'forward6'].map((name, i) => ({
      map: { family: 'inet', name, table: 'spa', handle: 20 + i, map: ['ipv4_addr', 'inet_service'] },
    })),
    { chain: { family: 'inet', table: 'spa', name: 'forward', handle: 22, type: 'filter', hook: 'forward' } },
    ...[23, 24, 25, 26, 27, 28, 29, 30, 31].map((handle) => ({
      rule: { family: 'inet', table: 'spa', chain: 'forward', handle, expr: [] },
    })),
  ],
});

describe('parseNftTable', () => {
  it('reads grants with their client and time left', () => {
    expect(parseNftTable(LISTING).grants).toEqual([
      {
        family: 4,
        address: '10.0.0.1',
        protocol: 'tcp',
        port: 22,
        client: 'alice',
        owners: ['alice'],
        expiresInSeconds: 49,
      },
      {
        family: 4,
        address: '10.0.0.2',
        protocol: 'tcp',
        port: 22,
        client: '',
        owners: [],
        expiresInSeconds: Number.POSITIVE_INFINITY,
      },
      {
        family: 6,
        address: 'fd77::1',
        protocol: 'udp',
        port: 53,
        client: 'c@d.e',
        owners: ['c@d.e'],
        expiresInSeconds: 29,
      },
      {
        family: 4,
        address: '10.0.0.1',
        protocol: 'tcp',
        port: 8000,
        lastPort: 8010,
        client: 'alice',
        owners: ['alice'],
        expiresInSeconds: 59,
      },
      {
        family: 6,
        address: 'fd77::1',
        protocol: 'udp',
        port: 9000,
        lastPort: 9001,
        client: 'c@d.e',
        owners: ['c@d.e'],
        expiresInSeconds: 58,
      },
      {
        family: 4,
        address: '10.0.0.3',
        protocol: 'tcp',
        port: 22,
        once: true,
        client: 'carol',
        owners: ['carol'],
        expiresInSeconds: 39,
      },
    ]);
  });

  it('reads the protected ports and ranges', () => {
    expect(parseNftTable(LISTING).ports).toEqual([
      { protocol: 'tcp', port: 22 },
      { protocol: 'udp', port: 53 },
      { protocol: 'tcp', port: 8000, lastPort: 8010 },
      { protocol: 'udp', port: 9000, lastPort: 9001 },
    ]);
  });

  it('skips range elements that are not ranges of ports', () => {
    const bad = [{ range: [8010, 8000] }, { range: [8000] }, { range: ['a', 'b'] }];
    for (const range of bad) {
      const text = LISTING.replace('{"range":[8000,8010]}]}', `${JSON.stringify(range)}]}`);
      expect(text).not.toBe(LISTING);
      expect(parseNftTable(text).grants.filter((g) => g.port === 8000)).toEqual([]);
    }
  });

  it('reads one table of a ruleset listing (`list ruleset inet`): another table, or ours in ip, counts for nothing', () => {
    const root = JSON.parse(LISTING) as { nftables: Record<string, Record<string, unknown>>[] };
    const others = root.nftables.flatMap((item) => {
      const [kind, inner] = Object.entries(item)[0]!;
      if (kind === 'metainfo' || kind === 'table') return [];
      return [{ [kind]: { ...inner, table: 'other' } }, { [kind]: { ...inner, family: 'ip' } }];
    });
    const ruleset = JSON.stringify({ nftables: [...root.nftables, ...others] });
    const mine = parseNftTable(ruleset, 'spa');
    expect(mine.rules).toEqual(parseNftTable(LISTING).rules);
    expect(mine.sets).toEqual(parseNftTable(LISTING).sets);
    expect(isNftTableIntact(mine)).toBe(true);
    // Without our table, another one of the same shape is not ours.
    const only = JSON.stringify({ nftables: others });
    expect(isNftTableIntact(parseNftTable(only, 'spa'))).toBe(false);
    expect(parseNftTable(only, 'spa').rules.size).toBe(0);
  });

  it('sees a dormant table (any table flag) as not intact, in its own listing and in a ruleset', () => {
    const root = JSON.parse(LISTING) as { nftables: Record<string, Record<string, unknown>>[] };
    // nft 1.0.6 prints the flags of `add table inet spa { flags dormant; }` as a garbled string.
    const flag = (table: string) =>
      root.nftables.map((item) =>
        item.table ? { table: { ...item.table, name: table, flags: 'Lester Gooch #5' } } : item,
      );
    expect(isNftTableIntact(parseNftTable(JSON.stringify({ nftables: flag('spa') })))).toBe(false);
    expect(isNftTableIntact(parseNftTable(JSON.stringify({ nftables: flag('spa') }), 'spa'))).toBe(false);
    // Another table's flag is not ours.
    const other = [...root.nftables, ...flag('other').filter((item) => item.table)];
    expect(isNftTableIntact(parseNftTable(JSON.stringify({ nftables: other }), 'spa'))).toBe(true);
    // Often the flags' bytes are not JSON at all: our table is still seen as flagged, not an error.
    const garbled = JSON.stringify({ nftables: flag('spa') }).replace('"Lester Gooch #5"', '"\u0001"\u0002}');
    expect(() => JSON.parse(garbled)).toThrow();
    expect(parseNftTable(garbled).flagged).toBe(true);
    expect(isNftTableIntact(parseNftTable(garbled, 'spa'))).toBe(false);
    // Another key between the handle and the flags (one a later nft may print there).
    const commented = garbled.replace('"handle":3,', '"handle":3,"comment":"x",');
    expect(commented).not.toBe(garbled);
    expect(parseNftTable(commented, 'spa').flagged).toBe(true);
    // Flags that parse, even as an empty string, in an order the text match does not know.
    const reordered = JSON.stringify({
      nftables: [
        ...root.nftables.filter((i) => !i.table),
        { table: { name: 'spa', family: 'inet', flags: '' } },
      ],
    });
    expect(parseNftTable(reordered, 'spa').flagged).toBe(true);
    expect(isNftTableIntact(parseNftTable(reordered, 'spa'))).toBe(false);
    // What a reader gets when nft aborted listing a table its text listing shows flagged.
    expect(parseNftTable(flaggedTableListing('spa'), 'spa').flagged).toBe(true);
    expect(parseNftTable(flaggedTableListing('spa'), 'other').flagged).toBe(false);
  });

  it('sees a whole table as intact', () => {
    expect(isNftTableIntact(parseNftTable(LISTING))).toBe(true);
    const ports = [
      { protocol: 'udp', port: 53 },
      { protocol: 'tcp', port: 8000, lastPort: 8010 },
      { protocol: 'tcp', port: 22 },
      { protocol: 'udp', port: 9000, lastPort: 9001 },
    ] as const;
    expect(isNftTableIntact(parseNftTable(LISTING), undefined, ports)).toBe(true);
    // A range set that lost its elements drops nothing on those ports.
    expect(
      isNftTableIntact(parseNftTable(LISTING), undefined, [
        ...ports,
        { protocol: 'tcp', port: 7000, lastPort: 7001 },
      ]),
    ).toBe(false);
  });

  it('sees a protected set that lost ports (flushed underneath) as not intact', () => {
    expect(isNftTableIntact(parseNftTable(LISTING), undefined, [{ protocol: 'tcp', port: 22 }])).toBe(false);
    const flushed = LISTING.replace('[{"concat":["tcp",22]},{"concat":["udp",53]}]', '[]');
    expect(flushed).not.toBe(LISTING);
    expect(isNftTableIntact(parseNftTable(flushed), undefined, [{ protocol: 'tcp', port: 22 }])).toBe(false);
  });

  it('sees a missing set, a missing rule or an unhooked chain', () => {
    const parsed = JSON.parse(LISTING) as { nftables: Record<string, { name?: string; handle?: number }>[] };
    const without = (drop: (item: Record<string, { name?: string; handle?: number }>) => boolean) =>
      JSON.stringify({ nftables: parsed.nftables.filter((item) => !drop(item)) });
    expect(isNftTableIntact(parseNftTable(without((i) => i.set?.name === 'allow6')))).toBe(false);
    expect(isNftTableIntact(parseNftTable(without((i) => i.set?.name === 'allow4_range')))).toBe(false);
    expect(isNftTableIntact(parseNftTable(without((i) => i.set?.name === 'allow6_once')))).toBe(false);
    expect(isNftTableIntact(parseNftTable(without((i) => i.set?.name === 'protected_range')))).toBe(false);
    expect(isNftTableIntact(parseNftTable(without((i) => i.rule?.handle === 8)))).toBe(false);
    expect(isNftTableIntact(parseNftTable(without((i) => i.chain !== undefined)))).toBe(false);
    // The forward path: its chain, each of its rules, and the maps of forwarded ports.
    expect(isNftTableIntact(parseNftTable(without((i) => i.chain?.name === 'forward')))).toBe(false);
    expect(isNftTableIntact(parseNftTable(without((i) => i.rule?.handle === 27)))).toBe(false);
    expect(isNftTableIntact(parseNftTable(without((i) => i.map?.name === 'forward6')))).toBe(false);
    expect(isNftTableIntact(parseNftTable('{"nftables": []}'))).toBe(false);
  });

  it('wants the nat chain and its rules only while some service forwards', () => {
    const forwarding = { limit: false, gate: false, forward: true };
    expect(isNftTableIntact(parseNftTable(LISTING), forwarding)).toBe(false);
    const parsed = JSON.parse(LISTING) as { nftables: unknown[] };
    const nat = [
      {
        chain: {
          family: 'inet',
          table: 'spa',
          name: 'prerouting',
          handle: 40,
          type: 'nat',
          hook: 'prerouting',
        },
      },
      ...[41, 42].map((handle) => ({ rule: { family: 'inet', table: 'spa', chain: 'prerouting', handle } })),
    ];
    const withNat = JSON.stringify({ nftables: [...parsed.nftables, ...nat] });
    expect(isNftTableIntact(parseNftTable(withNat), forwarding)).toBe(true);
    const oneRule = JSON.stringify({ nftables: [...parsed.nftables, ...nat.slice(0, 2)] });
    expect(isNftTableIntact(parseNftTable(oneRule), forwarding)).toBe(false);
  });

  it('skips elements it cannot trust instead of inventing grants', () => {
    const odd = JSON.stringify({
      nftables: [
        {
          set: {
            name: 'allow4',
            elem: [
              { elem: { val: { concat: ['not-an-ip', 'tcp', 22] }, expires: 3 } },
              { elem: { val: { concat: ['fd77::1', 'tcp', 22] }, expires: 3 } },
              { elem: { val: { concat: ['10.0.0.3', 'icmp', 22] }, expires: 3 } },
              { elem: { val: { concat: ['10.0.0.4', 6, 80] }, timeout: 3 } },
              { elem: { val: '10.0.0.5' } },
              42,
            ],
          },
        },
        'junk',
      ],
    });
    expect(parseNftTable(odd).grants).toEqual([
      {
        family: 4,
        address: '10.0.0.4',
        protocol: 'tcp',
        port: 80,
        client: '',
        owners: [],
        expiresInSeconds: 0,
      },
    ]);
    expect(parseNftTable('{}').grants).toEqual([]);
    expect(() => parseNftTable('not json')).toThrow();
  });
});
