/** spa-server as a gateway: a knock for a forwarded service leads the knocking address, and it alone, on to a host behind the gateway. */
import type { ResultPromise } from 'execa';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { addInternalHost, type InternalHost } from 'spa-test-kit/lab/internal-host';
import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { type LogLine, type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const GATEWAY_PORT = 15432;
const DB_PORT = 5432;
const GRANT_S = 3;
const HOLD = agentPath('hold-connection.mjs');
const TCP_SERVICE = agentPath('tcp-service.mjs');

const accepted = (src: string) => (l: LogLine) => l.event === 'knock.accepted' && l.src === src;

describe('spa-server with nftables: a forwarded service', () => {
  let lab: Lab;
  let gateway: Host;
  let client: Host;
  let outsider: Host;
  let db: InternalHost | undefined;
  let service: ResultPromise | undefined;
  let spa: ServerProcess | undefined;

  beforeAll(async () => {
    lab = await createLab(['gateway', 'client', 'outsider']);
    gateway = lab.host('gateway');
    client = lab.host('client');
    outsider = lab.host('outsider');
    db = await addInternalHost(lab, gateway, 'db');
    const listening = db.exec(process.execPath, [TCP_SERVICE, String(DB_PORT)], { reject: false });
    service = listening;
    await new Promise<void>((resolve) => listening.stdout?.once('data', () => resolve()));
    spa = await startServerProcess({
      host: gateway,
      backend: 'nftables',
      services: {
        db: { port: `tcp/${GATEWAY_PORT}`, forward: [`${db.ipv4}:${DB_PORT}`, `[${db.ipv6}]:${DB_PORT}`] },
      },
      config: { defaultDuration: GRANT_S, maxDuration: 10 },
    });
  });

  afterAll(async () => {
    await spa?.stop();
    await spa?.cleanup();
    service?.kill();
    await service;
    await db?.destroy();
    await lab?.destroy();
  });

  it.each([4, 6] as const)(
    'opens the internal host to the IPv%i address that knocked, for the grant only',
    async (family) => {
      const gatewayAddress = family === 4 ? gateway.ipv4 : gateway.ipv6;
      const clientAddress = family === 4 ? client.ipv4 : client.ipv6;
      expect(await probeTcp(client, gatewayAddress, GATEWAY_PORT, 400)).toBe('filtered');
      const knock = spa!.knock({ access: [{ type: 'service', name: 'db' }] });
      await spa!.send(client, knock, gatewayAddress);
      await spa!.waitForLog(accepted(clientAddress));
      // The greeting and echo come from the internal host's service: nothing listens on the gateway.
      const held = await client.exec(process.execPath, [HOLD, gatewayAddress, String(GATEWAY_PORT), '10']);
      expect(String(held.stdout)).toBe('connected\necho-ok');
      expect(await probeTcp(outsider, gatewayAddress, GATEWAY_PORT, 400)).toBe('filtered');
      // The same datagram again opens nothing more: it is a replay, from the grant's own address too.
      const before = spa!.logs().filter((l) => l.event === 'knock.accepted').length;
      await spa!.send(client, knock, gatewayAddress);
      expect(await waitForTcp(client, gatewayAddress, GATEWAY_PORT, 'filtered', (GRANT_S + 3) * 1000)).toBe(
        'filtered',
      );
      expect(spa!.logs().filter((l) => l.event === 'knock.accepted')).toHaveLength(before);
    },
  );

  it('closes on a close knock before the grant would end', async () => {
    await spa!.send(client, spa!.knock({ access: [{ type: 'service', name: 'db' }], durationSeconds: 10 }));
    await spa!.waitForLog(accepted(client.ipv4));
    expect(await probeTcp(client, gateway.ipv4, GATEWAY_PORT, 400)).toBe('open');
    await spa!.send(client, spa!.knock({ kind: 'close', access: [{ type: 'service', name: 'db' }] }));
    await spa!.waitForLog((l) => l.event === 'knock.closed');
    expect(await probeTcp(client, gateway.ipv4, GATEWAY_PORT, 400)).toBe('filtered');
  });
});
