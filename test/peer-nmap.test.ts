/** nmap, a scanner nobody here wrote, sees protected ports and the SPA port exactly as dropped ports, before and after a knock. */

import { kernelDrops } from 'spa-test-kit/lab/kernel-drops';
import { nmapScan } from 'spa-test-kit/lab/nmap';
import { type ClientHome, createClientHome } from 'spa-test-kit/processes/client-process';
import { KNOCK_PORT } from 'spa-test-kit/processes/server-process';
import { useLabScenario } from 'spa-test-kit/scenarios/lab-scenario';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SSH = 2222;
const DB = 5432;
/** Not protected and nothing listens: the kernel answers RST, so nmap can tell "closed" here. */
const UNUSED = 2224;
const SCAN = { tcp: [SSH, DB, UNUSED], udp: [KNOCK_PORT] };

// What a scanner without a grant must see: protected ports and the SPA port silent, like dropped ports.
const INVISIBLE = {
  [`tcp/${SSH}`]: 'filtered',
  [`tcp/${DB}`]: 'filtered',
  [`tcp/${UNUSED}`]: 'closed',
  [`udp/${KNOCK_PORT}`]: 'open|filtered',
};

describe.each(['nftables', 'iptables'] as const)('nmap against spa-server (%s)', (backend) => {
  let alice: ClientHome;
  const env = useLabScenario({
    tcpServices: [SSH, DB],
    spa: {
      backend,
      services: { ssh: `tcp/${SSH}`, db: `tcp/${DB}` },
      // alice may open ssh only: db must stay dropped for her too.
      clients: [{ name: 'alice', services: ['ssh'] }],
      config: { defaultDuration: 30 },
    },
  });
  beforeAll(async () => {
    alice = await createClientHome(env.spa, env.server.ipv4);
  });
  afterAll(async () => {
    await alice?.cleanup();
  });

  it('before a knock: from the client and the outsider, over IPv4 and IPv6, every protected port is filtered', async () => {
    const [fromClient, fromOutsider, overIpv6] = await Promise.all([
      nmapScan(env.client, env.server.ipv4, SCAN),
      nmapScan(env.outsider, env.server.ipv4, SCAN),
      nmapScan(env.outsider, env.server.ipv6, SCAN),
    ]);
    expect(fromClient).toEqual(INVISIBLE);
    expect(fromOutsider).toEqual(INVISIBLE);
    expect(overIpv6).toEqual(INVISIBLE);
  });

  it("after alice's knock: open for her on the granted port only; the outsider still sees nothing", async () => {
    const knock = await alice.run(env.client, [
      'open',
      'ssh',
      '--host',
      env.server.ipv4,
      '--wait',
      '--timeout',
      '5',
    ]);
    expect(knock.exitCode, knock.stderr).toBe(0);
    const [fromClient, fromOutsider, overIpv6] = await Promise.all([
      nmapScan(env.client, env.server.ipv4, SCAN),
      nmapScan(env.outsider, env.server.ipv4, SCAN),
      nmapScan(env.outsider, env.server.ipv6, SCAN),
    ]);
    expect(fromClient).toEqual({ ...INVISIBLE, [`tcp/${SSH}`]: 'open' });
    expect(fromOutsider).toEqual(INVISIBLE);
    expect(overIpv6).toEqual(INVISIBLE);
    // nmap's UDP probes were datagrams too: refused, and every grant is alice's (--wait may re-knock).
    const accepted = env.spa.logs().filter((l) => l.event === 'knock.accepted');
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.filter((l) => l.src !== env.client.ipv4 || l.client !== 'alice')).toEqual([]);
    // Too short to be a knock: with nftables the kernel's knock gate drops them before the daemon reads them.
    const tooShort = env.spa.logs().some((l) => l.event === 'knock.refused' && l.reason === 'too-short');
    if (backend === 'nftables') {
      expect((await kernelDrops(env.server)).size).toBeGreaterThan(0);
      expect(tooShort).toBe(false);
    } else expect(tooShort).toBe(true);
  });
});
