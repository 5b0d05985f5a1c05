/** nmap, a scanner nobody here wrote, sees protected ports and the SPA port exactly as dropped ports, before and after a knock. */

import type { ResultPromise } from 'execa';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { nmapScan } from 'spa-test-kit/lab/nmap';
import { waitForOutput } from 'spa-test-kit/lab/wait-output';
import { type ClientHome, createClientHome } from 'spa-test-kit/processes/client-process';
import { KNOCK_PORT, type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TCP_SERVICE = agentPath('tcp-service.mjs');
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
  let lab: Lab;
  let server: Host;
  let client: Host;
  let outsider: Host;
  let spa: ServerProcess;
  let alice: ClientHome;
  const services: ResultPromise[] = [];

  beforeAll(async () => {
    lab = await createLab(['server', 'client', 'outsider']);
    server = lab.host('server');
    client = lab.host('client');
    outsider = lab.host('outsider');
    for (const port of [SSH, DB]) {
      const service = server.exec(process.execPath, [TCP_SERVICE, String(port)], { reject: false });
      services.push(service);
      await waitForOutput(service, 'stdout', `listening ${port}`);
    }
    spa = await startServerProcess({
      host: server,
      backend,
      services: { ssh: `tcp/${SSH}`, db: `tcp/${DB}` },
      // alice may open ssh only: db must stay dropped for her too.
      clients: [{ name: 'alice', services: ['ssh'] }],
      config: { defaultDuration: 30 },
    });
    alice = await createClientHome(spa, server.ipv4);
  });
  afterAll(async () => {
    await spa?.stop();
    await spa?.cleanup();
    await alice?.cleanup();
    for (const service of services) service.kill();
    await lab?.destroy();
  });

  it('before a knock: from the client and the outsider, over IPv4 and IPv6, every protected port is filtered', async () => {
    const [fromClient, fromOutsider, overIpv6] = await Promise.all([
      nmapScan(client, server.ipv4, SCAN),
      nmapScan(outsider, server.ipv4, SCAN),
      nmapScan(outsider, server.ipv6, SCAN),
    ]);
    expect(fromClient).toEqual(INVISIBLE);
    expect(fromOutsider).toEqual(INVISIBLE);
    expect(overIpv6).toEqual(INVISIBLE);
  });

  it("after alice's knock: open for her on the granted port only; the outsider still sees nothing", async () => {
    const knock = await alice.run(client, ['open', 'ssh', '--host', server.ipv4, '--wait', '--timeout', '5']);
    expect(knock.exitCode, knock.stderr).toBe(0);
    const [fromClient, fromOutsider, overIpv6] = await Promise.all([
      nmapScan(client, server.ipv4, SCAN),
      nmapScan(outsider, server.ipv4, SCAN),
      nmapScan(outsider, server.ipv6, SCAN),
    ]);
    expect(fromClient).toEqual({ ...INVISIBLE, [`tcp/${SSH}`]: 'open' });
    expect(fromOutsider).toEqual(INVISIBLE);
    expect(overIpv6).toEqual(INVISIBLE);
    // nmap's UDP probes were datagrams too: refused, and every grant is alice's (--wait may re-knock).
    const accepted = spa.logs().filter((l) => l.event === 'knock.accepted');
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.filter((l) => l.src !== client.ipv4 || l.client !== 'alice')).toEqual([]);
    expect(spa.logs().some((l) => l.event === 'knock.refused' && l.reason === 'too-short')).toBe(true);
  });
});
