/** The knock gate's nft text: fields at the protocol's offsets, lengths the protocol allows, values checked before a command line. */
import { CLIENT_TAG_OFFSET, MAX_DATAGRAM_SIZE, MIN_DATAGRAM_SIZE } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { nftKnockGate, nftSpentCommand, nftTagCommands, nftTagDiff } from './knock-gate.js';
import { isNftTableIntact, type NftTableState } from './nftables/nft-json.js';
import { NFT_RULES, nftSetupCommands } from './nftables/nft-script.js';

const TAG = '00112233445566778899aabbccddeeff';

describe('knock gate (nft)', () => {
  it('matches the tag and the nonce at their offsets in the UDP payload, after a length check', () => {
    const { rules } = nftKnockGate('spa', { ports: [62201, 7000] });
    // @th counts bits from the UDP header (8 bytes) on.
    expect(rules).toEqual([
      `udp dport { 7000, 62201 } udp length != ${MIN_DATAGRAM_SIZE + 8}-${MAX_DATAGRAM_SIZE + 8} counter name knock_size drop`,
      `udp dport { 7000, 62201 } @th,${64 + CLIENT_TAG_OFFSET * 8},128 != @knock_tags counter name knock_tag drop`,
      `udp dport { 7000, 62201 } @th,${64 + CLIENT_TAG_OFFSET * 8},256 @knock_spent counter name knock_spent drop`,
    ]);
  });

  it('setup installs the held tags after a flush, so a repair restores them; its rules come first', () => {
    const setup = nftSetupCommands('spa', [{ protocol: 'tcp', port: 22 }], {
      gate: { ports: [62201] },
      tags: [TAG],
    });
    const flush = setup.indexOf('flush set inet spa knock_tags');
    expect(flush).toBeGreaterThan(-1);
    expect(setup[flush + 1]).toBe(`add element inet spa knock_tags { 0x${TAG} }`);
    const rules = setup.filter((c) => c.startsWith('add rule inet spa input'));
    expect(rules).toHaveLength(NFT_RULES.length + 3);
    expect(rules[0]).toContain('udp length');
  });

  it('a setup at reload, when the kernel holds the tags already, leaves them as they are', () => {
    const setup = nftSetupCommands('spa', [{ protocol: 'tcp', port: 22 }], {
      gate: { ports: [62201] },
      tags: [TAG],
      keepTags: true,
    });
    expect(setup.filter((c) => c.includes('knock_tags') && !c.startsWith('add set'))).toEqual([
      expect.stringContaining('add rule'),
    ]);
  });

  it('adds a fleet of tags in pieces', () => {
    const many = Array.from({ length: 5000 }, (_, i) => i.toString(16).padStart(32, '0'));
    expect(nftTagCommands('spa', many)).toHaveLength(3);
  });

  it('sends only the tags that left and came when the set changes', () => {
    const tag = (i: number): string => i.toString(16).padStart(32, '0');
    const held = new Set(Array.from({ length: 30_000 }, (_, i) => tag(i)));
    const next = new Set([...held].filter((t) => t !== tag(7)).concat(tag(40_000)));
    expect(nftTagDiff('spa', held, next)).toEqual([
      `delete element inet spa knock_tags { 0x${tag(7)} }`,
      `add element inet spa knock_tags { 0x${tag(40_000)} }`,
    ]);
    expect(nftTagDiff('spa', held, held)).toEqual([]);
  });

  it('refuses anything but 32 bytes of hex for a spent knock, 16 for a tag, and a timeout below 1 s', () => {
    const spent = `${TAG}${TAG}`;
    expect(nftSpentCommand('spa', [{ tagNonceHex: spent, timeoutSeconds: 90 }])).toBe(
      `add element inet spa knock_spent { 0x${spent} timeout 90s }`,
    );
    for (const tagNonceHex of ['', TAG, `${spent}00`, spent.toUpperCase(), `${spent.slice(2)} }`]) {
      expect(() => nftSpentCommand('spa', [{ tagNonceHex, timeoutSeconds: 9 }])).toThrow(/32 bytes/);
    }
    expect(() => nftSpentCommand('spa', [{ tagNonceHex: spent, timeoutSeconds: 0 }])).toThrow(/timeout/);
    expect(() => nftTagCommands('spa', ['0x12'])).toThrow(/16 bytes/);
  });

  it('a table without the gate sets or rules is not intact', () => {
    const whole: NftTableState = {
      sets: new Set([
        ...['allow4', 'allow6', 'protected', 'allow4_range', 'allow6_range', 'protected_range'],
        ...['allow4_once', 'allow6_once'],
        ...['knock4', 'knock6', 'knock_tags', 'knock_spent', 'forward4', 'forward6'],
      ]),
      rules: new Map([
        ['input', NFT_RULES.length + 5],
        ['forward', 9],
      ]),
      hooks: new Map([
        ['input', 'input'],
        ['forward', 'forward'],
      ]),
      grants: [],
      ports: [],
    };
    const shape = { limit: true, gate: true };
    expect(isNftTableIntact(whole, shape)).toBe(true);
    expect(
      isNftTableIntact(
        {
          ...whole,
          rules: new Map([
            ['input', NFT_RULES.length + 2],
            ['forward', 9],
          ]),
        },
        shape,
      ),
    ).toBe(false);
    const sets = new Set(whole.sets);
    sets.delete('knock_spent');
    expect(isNftTableIntact({ ...whole, sets }, shape)).toBe(false);
  });
});
