/** The iptables driver in a lab, with iptables-nft and with iptables-legacy: the same firewall contract. */

import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp } from 'spa-test-kit/lab/probe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IptablesDriver } from '../../src/firewall/iptables/iptables.js';
import { describeFirewallContract } from './firewall-contract.js';

for (const variant of ['nft', 'legacy'] as const) {
  describeFirewallContract({
    label: `iptables-${variant}`,
    make: (netns, options = {}) => new IptablesDriver({ variant, prefix: 'spae2e', netns, ...options }),
    makeMissingTool: (netns) =>
      new IptablesDriver({ variant, prefix: 'spae2e', netns, paths: { ipset: '/nonexistent/sbin/ipset' } }),
    // iptables-nft's rules live in nftables' ip and ip6 filter tables; legacy has no such switch.
    ...(variant === 'nft'
      ? {
          makeDormant: async (server: Host) => {
            for (const family of ['ip', 'ip6']) {
              await server.exec('nft', ['add', 'table', family, 'filter', '{ flags dormant; }']);
            }
          },
        }
      : {}),
    deleteUnderneath: async (server) => {
      // What `iptables -F INPUT; iptables -X ...; ipset destroy` by an admin would leave behind.
      for (const tool of [`iptables-${variant}`, `ip6tables-${variant}`]) {
        await server.exec(tool, ['-w', '-D', 'INPUT', '-j', 'SPAE2E-INPUT']);
        await server.exec(tool, ['-w', '-F', 'SPAE2E-INPUT']);
        await server.exec(tool, ['-w', '-X', 'SPAE2E-INPUT']);
      }
      for (const set of ['spae2e4', 'spae2e6']) {
        // iptables-nft may drop its reference to the set a moment after the rule.
        for (let i = 0; i < 20; i++) {
          const { exitCode } = await server.exec('ipset', ['destroy', set], { reject: false });
          if (exitCode === 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    },
  });
}

// Two drivers that each keep their jump first in one INPUT chain (two daemons with different
// prefixes): each move wakes the other's check. Moves are spaced out (jump-contention.ts), and
// the ports stay dropped throughout.
describe('iptables-nft: two drivers in one namespace take turns on top of INPUT, slowly', () => {
  let lab: Lab;
  const drivers: IptablesDriver[] = [];
  beforeAll(async () => {
    lab = await createLab(['server', 'outsider']);
  });
  afterAll(async () => {
    for (const d of drivers) await d.close().catch(() => {});
    await lab?.destroy();
  });

  it('the second setup takes the top; the first moves back once, then lets it be for a while', async () => {
    const server = lab.host('server');
    const outsider = lab.host('outsider');
    // A clock that stands still: the test's own pace (tools on a loaded host) must not end the wait.
    const [a, b] = ['spaa', 'spab'].map(
      (prefix) => new IptablesDriver({ variant: 'nft', prefix, netns: server.ns, contentionClock: () => 0 }),
    );
    drivers.push(a!, b!);
    await a!.setup([{ protocol: 'tcp', port: 2222 }]);
    await b!.setup([{ protocol: 'tcp', port: 2223 }]);
    // Never moved yet: a rule above its jump is damage, moved back at once.
    expect(await a!.isIntact()).toBe(false);
    await a!.setup([{ protocol: 'tcp', port: 2222 }]);
    expect(await b!.isIntact()).toBe(false);
    await b!.setup([{ protocol: 'tcp', port: 2223 }]);
    // a moved a moment ago: its jump below b's is let be rather than fought over.
    expect(await a!.isIntact()).toBe(true);
    expect(await probeTcp(outsider, server.ipv4, 2222, 300)).toBe('filtered');
    expect(await probeTcp(outsider, server.ipv4, 2223, 300)).toBe('filtered');
    // Only the rules the move found above the jump: an ACCEPT put there now is damage at once.
    await server.exec('iptables-nft', ['-w', '-I', 'INPUT', '-p', 'tcp', '--dport', '2222', '-j', 'ACCEPT']);
    expect(await a!.isIntact()).toBe(false);
    await server.exec('iptables-nft', ['-w', '-D', 'INPUT', '-p', 'tcp', '--dport', '2222', '-j', 'ACCEPT']);
    expect(await a!.isIntact()).toBe(true);
    // Nor anything that is not the jump's place.
    await server.exec('iptables-nft', ['-w', '-D', 'SPAA-INPUT', '1']);
    expect(await a!.isIntact()).toBe(false);
  });
});
