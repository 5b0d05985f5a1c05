/** iptables-restore text for the server's chain, and reading `iptables -S` (both variants' output). */
import { describe, expect, it } from 'vitest';
import {
  chainName,
  chainProtection,
  chainRules,
  chainsIntact,
  droppedPorts,
  parseChainState,
  removeRestore,
  setupRestore,
} from './iptables-rules.js';

// Captured from `iptables-nft -w -S` in a namespace after setup, with a user rule and a warning line.
const SAVED = [
  '# Warning: iptables-legacy tables present, use iptables-legacy to see them',
  '-P INPUT ACCEPT',
  '-P FORWARD ACCEPT',
  '-P OUTPUT ACCEPT',
  '-N SPA-INPUT',
  '-A INPUT -j SPA-INPUT',
  '-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT',
  '-A INPUT -j SPA-INPUT',
  '-A SPA-INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
  '-A SPA-INPUT -m set --match-set spa4 src,dst -j RETURN',
  '-A SPA-INPUT -p tcp -m multiport --dports 22 -j DROP',
  '',
].join('\n');

describe('chain rules', () => {
  it('names the chain after the prefix', () => {
    expect(chainName('spa')).toBe('SPA-INPUT');
  });

  it('returns for granted traffic, drops new TCP connections, returns for established, drops protected ports, 15 ports per multiport rule', () => {
    const ports = Array.from({ length: 16 }, (_, i) => ({ protocol: 'tcp' as const, port: 1000 + i }));
    const first15 = ports
      .slice(0, 15)
      .map((p) => p.port)
      .join(',');
    expect(chainRules('SPA-INPUT', 'spa4', [...ports, { protocol: 'udp', port: 53 }])).toEqual([
      '-A SPA-INPUT -m set --match-set spa4 src,dst -j RETURN',
      `-A SPA-INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m multiport --dports ${first15} -j DROP`,
      '-A SPA-INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m multiport --dports 1015 -j DROP',
      '-A SPA-INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
      `-A SPA-INPUT -p tcp -m multiport --dports ${first15} -j DROP`,
      '-A SPA-INPUT -p tcp -m multiport --dports 1015 -j DROP',
      '-A SPA-INPUT -p udp -m multiport --dports 53 -j DROP',
    ]);
  });
});

describe('parseChainState', () => {
  it('counts jumps, notes the first one and collects the chain rules', () => {
    expect(parseChainState(SAVED, 'SPA-INPUT')).toEqual({
      exists: true,
      jumps: 2,
      jumpFirst: true,
      rules: [
        '-A SPA-INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
        '-A SPA-INPUT -m set --match-set spa4 src,dst -j RETURN',
        '-A SPA-INPUT -p tcp -m multiport --dports 22 -j DROP',
      ],
      above: [],
    });
    expect(
      parseChainState(
        '-P INPUT ACCEPT\n-A INPUT -j ACCEPT\n-A INPUT -j OTHER\n-A INPUT -j SPA-INPUT\n-A INPUT -j LAST\n',
        'SPA-INPUT',
      ),
    ).toMatchObject({
      exists: false,
      jumps: 1,
      jumpFirst: false,
      above: ['-A INPUT -j ACCEPT', '-A INPUT -j OTHER'],
    });
  });
});

describe('droppedPorts', () => {
  it('reads the ports of the DROP rules back, and nothing from other rules', () => {
    const ports = [
      ...Array.from({ length: 16 }, (_, i) => ({ protocol: 'tcp' as const, port: 1000 + i })),
      { protocol: 'udp' as const, port: 53 },
    ];
    expect(droppedPorts(chainRules('SPA-INPUT', 'spa4', ports))).toEqual(ports);
    expect(droppedPorts(parseChainState(SAVED, 'SPA-INPUT').rules)).toEqual([{ protocol: 'tcp', port: 22 }]);
    expect(droppedPorts(['-A SPA-INPUT -p tcp -m multiport --dports 22 -j ACCEPT', 'junk'])).toEqual([]);
  });
});

describe('chainProtection', () => {
  const whole = parseChainState(SAVED, 'SPA-INPUT');
  const none = parseChainState('-P INPUT ACCEPT\n', 'SPA-INPUT');
  it('installed when both families have sets, chain, first jump and rules', () => {
    expect(chainProtection([whole, whole], [true, true])).toEqual({
      protection: 'installed',
      ports: [{ protocol: 'tcp', port: 22 }],
    });
  });
  it('missing when nothing is there; incomplete when a part is (a port only one family drops is open)', () => {
    expect(chainProtection([none, none], [false, false])).toEqual({ protection: 'missing', ports: [] });
    expect(chainProtection([whole, none], [true, true])).toEqual({ protection: 'incomplete', ports: [] });
    expect(chainProtection([whole, whole], [true, false]).protection).toBe('incomplete');
    expect(chainProtection([none, none], [true, true]).protection).toBe('incomplete');
  });
});

describe('chainsIntact', () => {
  const whole = parseChainState(SAVED, 'SPA-INPUT');
  const rules = whole.rules;
  it('whole: sets, chain, the jump first, the rules as read back after the setup', () => {
    expect(chainsIntact([whole, whole], [true, true], [rules, rules])).toBe(true);
  });
  it('a rule above the jump decides first: not intact', () => {
    const below = parseChainState(
      SAVED.replace('-A INPUT -j SPA-INPUT\n', '-A INPUT -j ACCEPT\n'),
      'SPA-INPUT',
    );
    expect(below.jumps).toBe(1);
    expect(chainsIntact([below, whole], [true, true], [rules, rules])).toBe(false);
  });
  it('a rule replaced in place keeps the count, not the text: not intact', () => {
    const replaced = {
      ...whole,
      rules: [...rules.slice(0, -1), '-A SPA-INPUT -p tcp -m multiport --dports 22 -j RETURN'],
    };
    expect(chainsIntact([whole, replaced], [true, true], [rules, rules])).toBe(false);
  });
  it('no read-back: at least the two fixed rules', () => {
    expect(chainsIntact([whole, whole], [true, true], [undefined, undefined])).toBe(true);
    const bare = { ...whole, rules: rules.slice(0, 1) };
    expect(chainsIntact([bare, whole], [true, true], [undefined, undefined])).toBe(false);
    expect(chainsIntact([whole, whole], [true, false], [rules, rules])).toBe(false);
  });
});

describe('restore input', () => {
  it('flushes and refills the chain and moves the one jump to position 1 in one commit', () => {
    const state = parseChainState(SAVED, 'SPA-INPUT');
    expect(setupRestore('SPA-INPUT', 'spa4', [{ protocol: 'tcp', port: 22 }], state)).toBe(
      [
        '*filter',
        ':SPA-INPUT - [0:0]',
        '-A SPA-INPUT -m set --match-set spa4 src,dst -j RETURN',
        '-A SPA-INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m multiport --dports 22 -j DROP',
        '-A SPA-INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
        '-A SPA-INPUT -p tcp -m multiport --dports 22 -j DROP',
        '-D INPUT -j SPA-INPUT',
        '-D INPUT -j SPA-INPUT',
        '-I INPUT 1 -j SPA-INPUT',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('removes jumps and chain, or nothing when nothing is there', () => {
    expect(removeRestore('SPA-INPUT', parseChainState(SAVED, 'SPA-INPUT'))).toBe(
      '*filter\n-D INPUT -j SPA-INPUT\n-D INPUT -j SPA-INPUT\n-F SPA-INPUT\n-X SPA-INPUT\nCOMMIT\n',
    );
    expect(removeRestore('SPA-INPUT', parseChainState('-P INPUT ACCEPT\n', 'SPA-INPUT'))).toBeUndefined();
  });
});
