/** The iptables driver in a lab, with iptables-nft and with iptables-legacy: the same firewall contract. */

import type { Host } from 'spa-test-kit/lab/netns';
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
