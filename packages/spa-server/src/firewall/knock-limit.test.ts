/** The kernel's per-source limit on the knock ports: derived from the daemon's bucket, checked, and written for nft and iptables. */
import { describe, expect, it } from 'vitest';
import { checkKnockLimit, iptablesKnockLimitRules, knockLimitFor, nftKnockLimit } from './knock-limit.js';
import { isNftTableIntact, type NftTableState } from './nftables/nft-json.js';
import { nftSetupCommands } from './nftables/nft-script.js';

describe('knock limit', () => {
  it('is 20 times the daemon bucket, never below 100/s with a burst of 200, on each listen port once', () => {
    expect(knockLimitFor([62201, 62201, 7000], 5, 10)).toEqual({
      ports: [7000, 62201],
      perSecond: 100,
      burst: 200,
    });
    expect(knockLimitFor([1], 50, 40)).toEqual({ ports: [1], perSecond: 1000, burst: 800 });
    expect(knockLimitFor([1], 0.5, 1).perSecond).toBe(100);
  });

  it('behind the knock gate, is twice the daemon bucket, never below 10/s with a burst of 20', () => {
    // Only datagrams with a current tag reach it: a legitimate source's are all knocks.
    expect(knockLimitFor([62201], 5, 10, true)).toEqual({ ports: [62201], perSecond: 10, burst: 20 });
    expect(knockLimitFor([1], 50, 40, true)).toEqual({ ports: [1], perSecond: 100, burst: 80 });
    expect(knockLimitFor([1], 0.5, 1, true)).toMatchObject({ perSecond: 10, burst: 20 });
  });

  it('refuses values that must not reach a command line', () => {
    const ok = { ports: [62201], perSecond: 100, burst: 200 };
    expect(checkKnockLimit(ok)).toBe(ok);
    const code = { code: 'FIREWALL_INVALID_INPUT' };
    expect(() => checkKnockLimit({ ...ok, ports: [0] })).toThrow(expect.objectContaining(code));
    expect(() => checkKnockLimit({ ...ok, ports: [] })).toThrow(expect.objectContaining(code));
    expect(() => checkKnockLimit({ ...ok, perSecond: 1.5 })).toThrow(expect.objectContaining(code));
    expect(() => checkKnockLimit({ ...ok, burst: Number.NaN })).toThrow(expect.objectContaining(code));
  });

  it('nft: two dynamic sets, and two rules ahead of the grant rules', () => {
    const limit = knockLimitFor([62201, 7000], 5, 10);
    expect(nftKnockLimit('spa', limit).rules).toEqual([
      'meta nfproto ipv4 udp dport { 7000, 62201 } update @knock4 { ip saddr limit rate over 100/second burst 200 packets } counter name knock_flood drop',
      'meta nfproto ipv6 udp dport { 7000, 62201 } update @knock6 { ip6 saddr & ffff:ffff:ffff:ffff:: limit rate over 100/second burst 200 packets } counter name knock_flood drop',
    ]);
    const setup = nftSetupCommands('spa', [{ protocol: 'tcp', port: 22 }], { limit });
    const rules = setup.filter((c) => c.startsWith('add rule inet spa input'));
    expect(rules).toHaveLength(13);
    expect(rules[0]).toContain('@knock4');
    expect(rules[1]).toContain('@knock6');
    expect(setup.indexOf(setup.find((c) => c.includes('add set inet spa knock4'))!)).toBeLessThan(
      setup.indexOf(rules[0]!),
    );
    // Sources already known start over with the limit of this setup.
    expect(setup).toContain('flush set inet spa knock4');
    expect(setup).toContain('flush set inet spa knock6');
    // Without a limit the table is what it always was.
    expect(nftSetupCommands('spa', [{ protocol: 'tcp', port: 22 }]).join(';')).not.toContain('knock');
  });

  it('nft: a table missing a knock set or rule is not intact', () => {
    const LIMIT = { limit: true, gate: false };
    const whole: NftTableState = {
      sets: new Set([
        'allow4',
        'allow6',
        'protected',
        'allow4_range',
        'allow6_range',
        'protected_range',
        'allow4_once',
        'allow6_once',
        'knock4',
        'knock6',
        'forward4',
        'forward6',
      ]),
      rules: new Map([
        ['input', 13],
        ['forward', 9],
      ]),
      hooks: new Map([
        ['input', 'input'],
        ['forward', 'forward'],
      ]),
      grants: [],
      ports: [],
    };
    expect(isNftTableIntact(whole, LIMIT)).toBe(true);
    expect(
      isNftTableIntact(
        {
          ...whole,
          rules: new Map([
            ['input', 11],
            ['forward', 9],
          ]),
        },
        LIMIT,
      ),
    ).toBe(false);
    const withoutKnock = new Set([...whole.sets].filter((s) => !s.startsWith('knock')));
    expect(isNftTableIntact({ ...whole, sets: withoutKnock }, LIMIT)).toBe(false);
    expect(
      isNftTableIntact(
        {
          ...whole,
          rules: new Map([
            ['input', 11],
            ['forward', 9],
          ]),
        },
        { limit: false, gate: false },
      ),
    ).toBe(true);
  });

  it('iptables: one hashlimit rule per 15 ports, per-/64 for IPv6, named within 15 characters', () => {
    const limit = knockLimitFor([62201], 5, 10);
    expect(iptablesKnockLimitRules('SPA-INPUT', 'spa', 4, limit)).toEqual([
      '-A SPA-INPUT -p udp -m multiport --dports 62201 -m hashlimit --hashlimit-above 100/sec --hashlimit-burst 200 --hashlimit-mode srcip --hashlimit-htable-expire 60000 --hashlimit-htable-max 65536 --hashlimit-name spa_k4e22b -j DROP',
    ]);
    const v6 = iptablesKnockLimitRules('SPA-INPUT', 'averyverylongprefix', 6, limit)[0]!;
    expect(v6).toContain('--hashlimit-srcmask 64');
    expect(/--hashlimit-name (\S+)/.exec(v6)?.[1]?.length).toBeLessThanOrEqual(15);
    // Another rate is another kernel table: the old one would keep its first settings.
    const faster = iptablesKnockLimitRules('SPA-INPUT', 'spa', 4, { ...limit, perSecond: 200 })[0]!;
    expect(/--hashlimit-name (\S+)/.exec(faster)?.[1]).not.toBe('spa_k4e22b');
    const many = { ...limit, ports: Array.from({ length: 16 }, (_, i) => 1000 + i) };
    expect(iptablesKnockLimitRules('SPA-INPUT', 'spa', 4, many)).toHaveLength(2);
  });
});
