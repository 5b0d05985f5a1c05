/** Which `nft monitor` lines make the daemon check its table at once. */
import { describe, expect, it } from 'vitest';
import {
  iptablesDeletionConcerns,
  iptablesStaleMonitor,
  nftAdditionTouches,
  nftDeletionConcerns,
  nftLostEvents,
  nftStaleMonitor,
} from './monitor-lines.js';

// Lines as nftables 1.0.6 prints them (captured in a namespace).
describe('nftDeletionConcerns', () => {
  it.each([
    'delete table inet spa',
    'delete chain inet spa input',
    'delete rule inet spa input handle 4',
    'delete set inet spa allow4',
    'delete element inet spa protected { tcp . 22 }',
    // The forward path: nft 1.0.6 prints a deleted map as a set.
    'delete chain inet spa forward',
    'delete set inet spa forward4',
    // The monitor's socket overflowed: any change may have been lost.
    '# ERROR: We lost some netlink events!',
    // Any other read error of the monitor's: the same.
    '# ERROR: No buffer space available',
    // A dormant table applies none of its rules.
    'add table inet spa { flags dormant; }',
  ])('%s → check', (line) => {
    expect(nftDeletionConcerns(line, 'spa')).toBe(true);
  });

  it.each([
    'delete element inet spa allow4 { 10.0.0.1 . tcp . 22 timeout 30s expires 29s772ms comment "alice" }',
    'delete table inet spa_other',
    'delete table ip spa',
    'delete chain inet other input',
    'add table inet spa',
    'add table inet spa_other { flags dormant; }',
    '# new generation 8 by process 24858 (nft)',
    'delete',
    '',
  ])('%s → ignored', (line) => {
    expect(nftDeletionConcerns(line, 'spa')).toBe(false);
  });
});

describe('nftLostEvents', () => {
  it("counts nft's lost-events line, not its other errors", () => {
    expect(nftLostEvents('# ERROR: We lost some netlink events!')).toBe(true);
    expect(nftLostEvents('# ERROR: No buffer space available')).toBe(false);
    expect(nftLostEvents('delete table inet spa')).toBe(false);
  });
});

// Every setup re-adds the sets: a running monitor stops printing their element deletions.
describe('nftStaleMonitor', () => {
  it.each([
    [
      'add set inet spa allow4 { type ipv4_addr . inet_proto . inet_service; size 65536; flags timeout; }',
      true,
    ],
    [
      'add map inet spa forward4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }',
      true,
    ],
    ['add table inet spa', true],
    ['add set inet other allow4 { type ipv4_addr; }', false],
    ['delete set inet spa allow4', false],
    ['add element inet spa allow4 { 10.0.0.1 . tcp . 22 timeout 1m expires 1m }', false],
    ['add rule inet spa input accept', false],
  ])('%s → %s', (line, stale) => {
    expect(nftStaleMonitor(line, 'spa')).toBe(stale);
  });
});

describe('iptablesStaleMonitor', () => {
  it.each([
    ['add table ip filter', true],
    ['add table ip6 filter', true],
    ['add table ip nat', false],
    ['add table inet filter', false],
    ['delete table ip filter', false],
    ['add chain ip filter SPA-INPUT', false],
  ])('%s → %s', (line, stale) => {
    expect(iptablesStaleMonitor(line)).toBe(stale);
  });
});

// Additions change what the table lets through as much (captured from `nft monitor` in a namespace).
describe('nftAdditionTouches', () => {
  it.each([
    'add table inet spa',
    'insert rule inet spa input accept',
    'add rule inet spa input ip saddr 1.2.3.4 accept',
    'add chain inet spa input { type filter hook input priority filter; policy drop; }',
    'add chain inet spa extra { type filter hook input priority filter - 10; policy accept; }',
    'add element inet spa protected { tcp . 22 }',
  ])('%s → withdraws the shape', (line) => {
    expect(nftAdditionTouches(line, 'spa')).toBe(true);
  });

  it.each([
    'add element inet spa allow4 { 10.0.0.1 . tcp . 22 timeout 1m expires 1m }',
    'add element inet spa tags { 0x0102 }',
    'add table inet spa_other',
    'delete rule inet spa input handle 4',
    '# new generation 8 by process 24858 (nft)',
    '',
  ])('%s → ignored', (line) => {
    expect(nftAdditionTouches(line, 'spa')).toBe(false);
  });
});

describe('iptablesDeletionConcerns', () => {
  it.each([
    'delete rule ip filter INPUT handle 6',
    'delete rule ip6 filter SPA-INPUT handle 3',
    'delete chain ip filter SPA-INPUT',
    'delete table ip filter',
    'delete table ip6 filter',
    // Every rule kept and none applied: iptables -S does not show it.
    'add table ip filter { flags dormant; }',
    'add table ip6 filter { flags dormant; }',
    // Above the jump, a rule decides before the driver's chain does.
    'insert rule ip filter INPUT tcp dport 2222 counter packets 0 bytes 0 accept',
    'add rule ip6 filter INPUT tcp dport 2222 accept',
    'insert rule ip filter SPA-INPUT counter packets 0 bytes 0 return',
  ])('%s → check', (line) => {
    expect(iptablesDeletionConcerns(line, 'SPA-INPUT')).toBe(true);
  });

  it.each([
    'delete rule ip filter FORWARD handle 2',
    'delete chain ip filter OTHER-INPUT',
    'delete table ip nat',
    'delete rule inet spa input handle 4',
    'add rule ip filter FORWARD tcp dport 2222 accept',
    'insert rule ip filter OTHER-INPUT accept',
    'add chain ip filter INPUT { type filter hook input priority filter; policy drop; }',
    'add table ip filter',
    'add table ip nat { flags dormant; }',
  ])('%s → ignored', (line) => {
    expect(iptablesDeletionConcerns(line, 'SPA-INPUT')).toBe(false);
  });
});
