/** The nft command text: exact known answers, and no value can break out of its place in a command. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alice, bob6 } from '../../../test/sample-grants.js';
import type { Grant } from '../driver.js';
import { checkForwards, checkGrant } from '../grant-values.js';
import {
  nftGrantCommands,
  nftRebuildCommands,
  nftRemoveCommands,
  nftRevokeAllCommands,
  nftRevokeCommands,
  nftSetupCommands,
  nftTransaction,
} from './nft-script.js';

describe('nftSetupCommands', () => {
  it('builds the whole table in one transaction', () => {
    const ports = [
      { protocol: 'tcp', port: 22 },
      { protocol: 'tcp', port: 8000, lastPort: 8010 },
      { protocol: 'udp', port: 53 },
    ] as const;
    expect(nftSetupCommands('spa', ports)).toEqual([
      'add table inet spa',
      'add set inet spa allow4 { type ipv4_addr . inet_proto . inet_service; flags timeout; size 65536; }',
      'add set inet spa allow6 { type ipv6_addr . inet_proto . inet_service; flags timeout; size 65536; }',
      'add set inet spa allow4_once { type ipv4_addr . inet_proto . inet_service; flags dynamic,timeout; size 65536; }',
      'add set inet spa allow6_once { type ipv6_addr . inet_proto . inet_service; flags dynamic,timeout; size 65536; }',
      'add set inet spa protected { type inet_proto . inet_service; size 65536; }',
      'add set inet spa allow4_range { type ipv4_addr . inet_proto . inet_service; flags interval,timeout; size 65536; }',
      'add set inet spa allow6_range { type ipv6_addr . inet_proto . inet_service; flags interval,timeout; size 65536; }',
      'add set inet spa protected_range { type inet_proto . inet_service; flags interval; size 65536; }',
      'add chain inet spa input { type filter hook input priority filter; policy accept; }',
      'flush chain inet spa input',
      'flush set inet spa protected',
      'flush set inet spa protected_range',
      'add element inet spa protected { tcp . 22, udp . 53 }',
      'add element inet spa protected_range { tcp . 8000-8010 }',
      'add rule inet spa input ip saddr . meta l4proto . th dport @allow4 accept',
      'add rule inet spa input ip6 saddr . meta l4proto . th dport @allow6 accept',
      'add rule inet spa input ip saddr . meta l4proto . th dport @allow4_range accept',
      'add rule inet spa input ip6 saddr . meta l4proto . th dport @allow6_range accept',
      'add rule inet spa input tcp flags & (fin | syn | rst | ack) == syn ct state new ip saddr . meta l4proto . th dport @allow4_once delete @allow4_once { ip saddr . meta l4proto . th dport } accept',
      'add rule inet spa input tcp flags & (fin | syn | rst | ack) == syn ct state new ip6 saddr . meta l4proto . th dport @allow6_once delete @allow6_once { ip6 saddr . meta l4proto . th dport } accept',
      'add rule inet spa input tcp flags & (fin | syn | rst | ack) == syn meta l4proto . th dport @protected drop',
      'add rule inet spa input tcp flags & (fin | syn | rst | ack) == syn meta l4proto . th dport @protected_range drop',
      'add rule inet spa input ct state established,related accept',
      'add rule inet spa input meta l4proto . th dport @protected drop',
      'add rule inet spa input meta l4proto . th dport @protected_range drop',
      'add map inet spa forward4 { type inet_proto . inet_service : ipv4_addr . inet_service; size 65536; }',
      'add map inet spa forward6 { type inet_proto . inet_service : ipv6_addr . inet_service; size 65536; }',
      'add chain inet spa forward { type filter hook forward priority filter; policy accept; }',
      'flush chain inet spa forward',
      'flush map inet spa forward4',
      'flush map inet spa forward6',
      // Whatever DNAT'd a connection, its original destination port is what the grants name.
      'add rule inet spa forward meta l4proto { tcp, udp } ct status dnat ip saddr . meta l4proto . ct original proto-dst @allow4 accept',
      'add rule inet spa forward meta l4proto { tcp, udp } ct status dnat ip6 saddr . meta l4proto . ct original proto-dst @allow6 accept',
      'add rule inet spa forward meta l4proto { tcp, udp } ct status dnat ip saddr . meta l4proto . ct original proto-dst @allow4_range accept',
      'add rule inet spa forward meta l4proto { tcp, udp } ct status dnat ip6 saddr . meta l4proto . ct original proto-dst @allow6_range accept',
      'add rule inet spa forward tcp flags & (fin | syn | rst | ack) == syn meta l4proto { tcp, udp } ct status dnat meta l4proto . ct original proto-dst @protected drop',
      'add rule inet spa forward tcp flags & (fin | syn | rst | ack) == syn meta l4proto { tcp, udp } ct status dnat meta l4proto . ct original proto-dst @protected_range drop',
      'add rule inet spa forward ct state established,related accept',
      'add rule inet spa forward meta l4proto { tcp, udp } ct status dnat meta l4proto . ct original proto-dst @protected drop',
      'add rule inet spa forward meta l4proto { tcp, udp } ct status dnat meta l4proto . ct original proto-dst @protected_range drop',
    ]);
    // Without a forwarded service there is no nat chain: a kernel without NAT runs the rest.
    expect(nftSetupCommands('spa', ports).join(';')).not.toContain('prerouting');
  });

  it('maps forwarded ports to their hosts and DNATs only granted sources addressed to the gateway', () => {
    const forwards = checkForwards([
      {
        protocol: 'tcp',
        port: 15432,
        forward: [
          { family: 6, address: 'FD00:0::5', port: 5432 },
          { family: 4, address: '10.0.0.5', port: 5432 },
        ],
      },
    ]);
    const setup = nftSetupCommands('spa', [{ protocol: 'tcp', port: 15432 }], {}, forwards);
    expect(setup).toContain('add element inet spa forward4 { tcp . 15432 : 10.0.0.5 . 5432 }');
    expect(setup).toContain('add element inet spa forward6 { tcp . 15432 : fd00::5 . 5432 }');
    expect(setup.slice(-4)).toEqual([
      'add chain inet spa prerouting { type nat hook prerouting priority dstnat; policy accept; }',
      'flush chain inet spa prerouting',
      'add rule inet spa prerouting fib daddr type local ip saddr . meta l4proto . th dport @allow4 dnat ip to meta l4proto . th dport map @forward4',
      'add rule inet spa prerouting fib daddr type local ip6 saddr . meta l4proto . th dport @allow6 dnat ip6 to meta l4proto . th dport map @forward6',
    ]);
  });

  it('refuses a forward nft could not be given safely', () => {
    const spec = (port: number, lastPort: number | undefined, address: string, to = 5432) => ({
      protocol: 'tcp' as const,
      port,
      ...(lastPort === undefined ? {} : { lastPort }),
      forward: [{ family: address.includes(':') ? (6 as const) : (4 as const), address, port: to }],
    });
    const refused = expect.objectContaining({ code: 'FIREWALL_INVALID_INPUT' });
    expect(() => checkForwards([spec(8000, 8010, '10.0.0.5')])).toThrow(refused);
    expect(() => checkForwards([spec(15432, undefined, '127.0.0.1')])).toThrow(refused);
    expect(() => checkForwards([spec(15432, undefined, '10.0.0.5 . 1; flush ruleset')])).toThrow(refused);
    expect(() => checkForwards([spec(15432, undefined, '10.0.0.5', 70000)])).toThrow(refused);
    expect(() =>
      checkForwards([spec(15432, undefined, '10.0.0.5'), spec(15432, undefined, '10.0.0.6')]),
    ).toThrow(refused);
  });

  it('writes no element list when nothing is protected (nft rejects empty braces)', () => {
    expect(nftSetupCommands('spa', []).some((c) => c.startsWith('add element'))).toBe(false);
  });
});

describe('grants and revokes', () => {
  it('adds, deletes and re-adds with the timeout, per family, so a repeat grant extends', () => {
    expect(nftGrantCommands('spa', [alice, bob6])).toEqual([
      'add element inet spa allow4 { 10.0.0.1 . tcp . 22 }',
      'delete element inet spa allow4 { 10.0.0.1 . tcp . 22 }',
      'add element inet spa allow4 { 10.0.0.1 . tcp . 22 timeout 30s comment "alice" }',
      'add element inet spa allow6 { fd77::2 . udp . 53 }',
      'delete element inet spa allow6 { fd77::2 . udp . 53 }',
      'add element inet spa allow6 { fd77::2 . udp . 53 timeout 5s comment "bob@x" }',
    ]);
  });

  it('puts a port range in the range set of its family, with nft interval syntax', () => {
    const range = { ...alice, port: 8000, lastPort: 8010 };
    expect(nftGrantCommands('spa', [range, { ...bob6, port: 9000, lastPort: 9001 }])).toEqual([
      'add element inet spa allow4_range { 10.0.0.1 . tcp . 8000-8010 }',
      'delete element inet spa allow4_range { 10.0.0.1 . tcp . 8000-8010 }',
      'add element inet spa allow4_range { 10.0.0.1 . tcp . 8000-8010 timeout 30s comment "alice" }',
      'add element inet spa allow6_range { fd77::2 . udp . 9000-9001 }',
      'delete element inet spa allow6_range { fd77::2 . udp . 9000-9001 }',
      'add element inet spa allow6_range { fd77::2 . udp . 9000-9001 timeout 5s comment "bob@x" }',
    ]);
    expect(nftRevokeCommands('spa', [alice, range])).toEqual([
      'add element inet spa allow4 { 10.0.0.1 . tcp . 22 }',
      'delete element inet spa allow4 { 10.0.0.1 . tcp . 22 }',
      'add element inet spa allow4_range { 10.0.0.1 . tcp . 8000-8010 }',
      'delete element inet spa allow4_range { 10.0.0.1 . tcp . 8000-8010 }',
    ]);
  });

  it('puts a one-shot grant in the one-shot set of its family, apart from a plain grant of the same target', () => {
    const once = { ...alice, once: true };
    const six = { ...bob6, protocol: 'tcp' as const, port: 22, once: true };
    expect(nftGrantCommands('spa', [alice, once, six])).toEqual([
      'add element inet spa allow4 { 10.0.0.1 . tcp . 22 }',
      'delete element inet spa allow4 { 10.0.0.1 . tcp . 22 }',
      'add element inet spa allow4 { 10.0.0.1 . tcp . 22 timeout 30s comment "alice" }',
      'add element inet spa allow4_once { 10.0.0.1 . tcp . 22 }',
      'delete element inet spa allow4_once { 10.0.0.1 . tcp . 22 }',
      'add element inet spa allow4_once { 10.0.0.1 . tcp . 22 timeout 30s comment "alice" }',
      'add element inet spa allow6_once { fd77::2 . tcp . 22 }',
      'delete element inet spa allow6_once { fd77::2 . tcp . 22 }',
      'add element inet spa allow6_once { fd77::2 . tcp . 22 timeout 5s comment "bob@x" }',
    ]);
    // A connection may have spent it already: the revoke must not fail on the missing element.
    expect(nftRevokeCommands('spa', [once])).toEqual([
      'add element inet spa allow4_once { 10.0.0.1 . tcp . 22 }',
      'delete element inet spa allow4_once { 10.0.0.1 . tcp . 22 }',
    ]);
    expect(nftRevokeAllCommands('spa')).toContain('flush set inet spa allow6_once');
  });

  it('revokes with add + delete, so a missing element is not an error', () => {
    expect(nftRevokeCommands('spa', [alice])).toEqual([
      'add element inet spa allow4 { 10.0.0.1 . tcp . 22 }',
      'delete element inet spa allow4 { 10.0.0.1 . tcp . 22 }',
    ]);
    expect(nftRemoveCommands('t1')).toEqual(['add table inet t1', 'delete table inet t1']);
  });

  it('rebuilds with the grants that still have at least a second left', () => {
    const owners = [alice.client];
    const keep = [
      { ...alice, owners, expiresInSeconds: 12 },
      { ...alice, owners, address: '10.0.0.2', expiresInSeconds: 0 },
      { ...alice, owners, address: '10.0.0.3', expiresInSeconds: Number.POSITIVE_INFINITY },
    ];
    const commands = nftRebuildCommands('spa', [], keep);
    expect(commands.slice(0, 3)).toEqual([
      'add table inet spa',
      'delete table inet spa',
      'add table inet spa',
    ]);
    expect(commands.at(-1)).toBe(
      'add element inet spa allow4 { 10.0.0.1 . tcp . 22 timeout 12s comment "alice" }',
    );
  });

  it('puts a transaction on one line', () => {
    expect(nftTransaction(['add table inet spa', 'delete table inet spa'])).toBe(
      'add table inet spa; delete table inet spa',
    );
  });

  it('lets no checked value add a command, a quote, a brace or a line', () => {
    const grantArb = fc.record({
      family: fc.constantFrom(4 as const, 6 as const),
      address: fc.oneof(fc.ipV4(), fc.ipV6()),
      protocol: fc.constantFrom('tcp' as const, 'udp' as const),
      port: fc.integer({ min: 1, max: 65_535 }),
      timeoutSeconds: fc.integer({ min: 1, max: 2_147_483 }),
      client: fc.stringMatching(/^[A-Za-z0-9_.@-]{1,64}$/),
    });
    fc.assert(
      fc.property(grantArb, (raw) => {
        let grant: Grant;
        try {
          grant = checkGrant(raw);
        } catch {
          return; // Family and address disagree: refused before any text is made.
        }
        const [, , add] = nftGrantCommands('spa', [grant]);
        const match =
          /^add element inet spa allow[46] \{ ([0-9a-f.:]+) \. (tcp|udp) \. (\d+) timeout (\d+)s comment "([^"{};\n]+)" \}$/.exec(
            add ?? '',
          );
        expect(match?.slice(1)).toEqual([
          grant.address,
          grant.protocol,
          String(grant.port),
          String(grant.timeoutSeconds),
          grant.client,
        ]);
      }),
    );
  });
});
