/**
 * docs/install.md, "Living with another firewall": a default-drop nftables table beside spa's. An accept
 * in table spa does not override that table's drop; the documented rules (knock port and protected
 * port accepted there) let the granted client in, while spa's table still keeps the outsider out.
 */

import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { KNOCK_PORT, startServerProcess } from 'spa-test-kit/processes/server-process';
import { useLabScenario } from 'spa-test-kit/scenarios/lab-scenario';
import { beforeAll, describe, expect, it } from 'vitest';

const SSH = 2222;

// The admin's own firewall, as in docs/install.md: default drop on input, loopback and replies allowed.
const DEFAULT_DROP = `table inet filter {
  chain input {
    type filter hook input priority filter; policy drop;
    iif lo accept
    ct state established,related accept
  }
}
`;
// The two rules docs/install.md tells the admin to add to that table.
const KNOCK_RULE = `add rule inet filter input udp dport ${KNOCK_PORT} accept\n`;
const PROTECTED_RULE = `add rule inet filter input tcp dport ${SSH} accept\n`;

describe('spa-server beside a default-drop nftables table', () => {
  const env = useLabScenario({ tcpServices: [SSH] });

  const nft = async (script: string): Promise<void> => {
    await env.server.exec('nft', ['-f', '-'], { input: script });
  };
  const knock = async (): Promise<void> => {
    await env.spa.send(env.client, env.spa.knock());
  };

  beforeAll(async () => {
    env.spa = await startServerProcess({
      host: env.server,
      backend: 'nftables',
      services: { ssh: `tcp/${SSH}` },
      config: { defaultDuration: 60, maxDuration: 60 },
    });
    await nft(DEFAULT_DROP);
  });

  it('without the documented rules, the other table drops the knock: no grant, the port stays shut', async () => {
    await knock();
    await new Promise((r) => setTimeout(r, 500));
    expect(env.spa.logs().some((l) => l.event === 'knock.accepted')).toBe(false);
    expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('filtered');
  });

  it('with only the knock port allowed, spa grants but the other table still drops the port', async () => {
    await nft(KNOCK_RULE);
    await knock();
    await env.spa.waitForLog((l) => l.event === 'knock.accepted' && l.src === env.client.ipv4);
    expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('filtered');
  });

  it('with the protected port accepted there too, the granted client gets in and the outsider does not', async () => {
    await nft(PROTECTED_RULE);
    expect(await waitForTcp(env.client, env.server.ipv4, SSH, 'open')).toBe('open');
    // The other table accepts every address on the port now: spa's table is what keeps this one out.
    expect(await probeTcp(env.outsider, env.server.ipv4, SSH)).toBe('filtered');
  });
});
