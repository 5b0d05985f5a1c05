/** The gateway's forward path against the kernel: a forwarded service reaches an internal host for the granted address only; DNAT'd (container) ports are filtered on their original port. */
import type { ResultPromise } from 'execa';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { addInternalHost, type InternalHost } from 'spa-test-kit/lab/internal-host';
import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Grant, GrantTarget, PortSpec } from '../../src/firewall/driver.js';
import { NftablesDriver } from '../../src/firewall/nftables/nftables.js';

const PROBE_MS = 400;
const HOLD = agentPath('hold-connection.mjs');
const TCP_SERVICE = agentPath('tcp-service.mjs');

const addressOf = (host: Host, family: 4 | 6): string => (family === 4 ? host.ipv4 : host.ipv6);

/** Starts tcp-service.mjs on `port` in `host` and keeps it in `services`; resolves once it listens. */
async function serve(services: ResultPromise[], host: Host, port: number): Promise<void> {
  const service = host.exec(process.execPath, [TCP_SERVICE, String(port)], { reject: false });
  services.push(service);
  await new Promise<void>((resolve) => service.stdout?.once('data', () => resolve()));
}

/** Connects, waits for the greeting, and says whether the connection still echoes after `waitMs`. */
async function hold(from: Host, address: string, port: number, waitMs: number, during: () => Promise<void>) {
  const holder = from.exec(process.execPath, [HOLD, address, String(port), String(waitMs)], {
    reject: false,
  });
  await new Promise<void>((resolve) => holder.stdout?.once('data', () => resolve()));
  await during();
  return String((await holder).stdout);
}

/** A lab: client and outsider beside the gateway, and hosts on links of their own behind it. */
interface GatewayLab {
  lab: Lab;
  gateway: Host;
  client: Host;
  outsider: Host;
  services: ResultPromise[];
  drivers: NftablesDriver[];
}

async function gatewayLab(): Promise<GatewayLab> {
  const lab = await createLab(['gateway', 'client', 'outsider']);
  return {
    lab,
    gateway: lab.host('gateway'),
    client: lab.host('client'),
    outsider: lab.host('outsider'),
    services: [],
    drivers: [],
  };
}

async function closeLab(g: GatewayLab | undefined, inside: InternalHost[]): Promise<void> {
  for (const d of g?.drivers ?? []) await d.close().catch(() => {});
  for (const s of g?.services ?? []) s.kill();
  await Promise.all(g?.services ?? []);
  for (const h of inside) await h.destroy();
  await g?.lab.destroy();
}

describe('nftables: a forwarded service leads a grant on to the internal host', () => {
  const GATEWAY_PORT = 15432;
  const DB_PORT = 5432;
  let g: GatewayLab;
  let db: InternalHost;
  let driver: NftablesDriver;
  const target = (family: 4 | 6, host: Host = g.client): GrantTarget => ({
    family,
    address: addressOf(host, family),
    protocol: 'tcp',
    port: GATEWAY_PORT,
  });
  const grant = (family: 4 | 6, timeoutSeconds: number, client = 'alice'): Grant => ({
    ...target(family),
    timeoutSeconds,
    client,
  });
  const probe = (from: Host, family: 4 | 6, port = GATEWAY_PORT) =>
    probeTcp(from, addressOf(g.gateway, family), port, PROBE_MS);

  beforeAll(async () => {
    g = await gatewayLab();
    db = await addInternalHost(g.lab, g.gateway, 'db');
    await serve(g.services, db, DB_PORT);
    // The gateway's own policy, as an administrator keeps it once forwarding is on: nothing is routed
    // to the internal network but what something DNAT'd (the spa table filters those).
    await g.gateway.exec('nft', [
      'add table inet admin; add chain inet admin forward { type filter hook forward priority filter; policy drop; }; ' +
        'add rule inet admin forward ct state established,related accept; add rule inet admin forward ct status dnat accept',
    ]);
    // The client even knows a route to the internal network: what stops it is the policy, not ignorance.
    await g.client.exec('ip', ['route', 'add', `${db.ipv4.replace(/\.2$/, '.0')}/24`, 'via', g.gateway.ipv4]);
    await g.client.exec('ip', [
      '-6',
      'route',
      'add',
      `${db.ipv6.replace(/::2$/, '::')}/64`,
      'via',
      g.gateway.ipv6,
    ]);
    driver = new NftablesDriver({ table: 'spa_fwd', netns: g.gateway.ns });
    g.drivers.push(driver);
    const forward = [4, 6].map((family) => ({
      family,
      address: addressOf(db, family as 4 | 6),
      port: DB_PORT,
    }));
    const ports: PortSpec[] = [
      { protocol: 'tcp', port: GATEWAY_PORT, forward: forward as PortSpec['forward'] },
    ];
    await driver.setup(ports);
  });

  afterAll(() => closeLab(g, db ? [db] : []));

  it('drops the gateway port for everyone before any grant, in both families', async () => {
    expect(await driver.isIntact()).toBe(true);
    for (const family of [4, 6] as const) {
      expect(await probe(g.client, family)).toBe('filtered');
      expect(await probeTcp(g.client, addressOf(db, family), DB_PORT, PROBE_MS)).toBe('filtered');
    }
  });

  it.each([4, 6] as const)('opens the internal host to the granted IPv%i address only', async (family) => {
    await driver.grant([grant(family, 30)]);
    // The greeting comes from the internal host's service: nothing listens on the gateway's port.
    expect(await hold(g.client, addressOf(g.gateway, family), GATEWAY_PORT, 10, async () => {})).toContain(
      'echo-ok',
    );
    expect(await probe(g.outsider, family)).toBe('filtered');
    expect(await probe(g.client, family === 4 ? 6 : 4)).toBe('filtered');
    // Only the named destination: the internal host itself, routed directly, stays out of reach.
    expect(await probeTcp(g.client, addressOf(db, family), DB_PORT, PROBE_MS)).toBe('filtered');
    await driver.revoke([target(family)]);
    expect(await probe(g.client, family)).toBe('filtered');
    expect(await driver.list()).toEqual([]);
  });

  it('extends a repeated grant, and closes on time by itself', async () => {
    await driver.grant([grant(4, 2, 'first')]);
    await driver.grant([grant(4, 4, 'second')]);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await probe(g.client, 4)).toBe('open');
    expect(await waitForTcp(g.client, g.gateway.ipv4, GATEWAY_PORT, 'filtered', 6000)).toBe('filtered');
    expect(await driver.list()).toEqual([]);
  });

  it('forgets a forwarded connection when its grant is closed', async () => {
    await driver.grant([grant(6, 30)]);
    const seen = await hold(g.client, g.gateway.ipv6, GATEWAY_PORT, 1500, async () => {
      await driver.revoke([target(6)]);
      await driver.forgetConnections([target(6)]);
    });
    expect(seen).toContain('connected');
    expect(seen).not.toContain('echo-ok');
  });

  it('puts the forward back after the table is deleted underneath', async () => {
    await g.gateway.exec('nft', ['delete', 'table', 'inet', 'spa_fwd']);
    expect(await driver.isIntact()).toBe(false);
    await driver.setup([
      {
        protocol: 'tcp',
        port: GATEWAY_PORT,
        forward: [{ family: 4, address: db.ipv4, port: DB_PORT }],
      },
    ]);
    expect(await driver.isIntact()).toBe(true);
    await driver.grant([grant(4, 30)]);
    expect(await probe(g.client, 4)).toBe('open');
    await driver.revoke([target(4)]);
    expect(await probe(g.client, 4)).toBe('filtered');
  });
});

describe('nftables: a port published by DNAT, the way Docker publishes a container', () => {
  const PUBLISHED = 8080;
  const UNPROTECTED = 9090;
  const CONTAINER_PORT = 80;
  let g: GatewayLab;
  let container: InternalHost;
  let driver: NftablesDriver;
  const target = (family: 4 | 6): GrantTarget => ({
    family,
    address: addressOf(g.client, family),
    protocol: 'tcp',
    port: PUBLISHED,
  });
  const probe = (from: Host, family: 4 | 6, port = PUBLISHED) =>
    probeTcp(from, addressOf(g.gateway, family), port, PROBE_MS);

  beforeAll(async () => {
    g = await gatewayLab();
    container = await addInternalHost(g.lab, g.gateway, 'ctr');
    await serve(g.services, container, CONTAINER_PORT);
    // What dockerd writes (through iptables-nft) for `-p 8080:80 -p 9090:80`: nat PREROUTING jumps to
    // DOCKER for local destinations, which DNATs; filter FORWARD drops all but the container's port.
    const docker = (family: 'ip' | 'ip6', address: string) =>
      `add table ${family} nat; add chain ${family} nat DOCKER; ` +
      `add chain ${family} nat PREROUTING { type nat hook prerouting priority dstnat; policy accept; }; ` +
      `add rule ${family} nat PREROUTING fib daddr type local jump DOCKER; ` +
      `add rule ${family} nat DOCKER iifname != "ctr0" tcp dport { ${PUBLISHED}, ${UNPROTECTED} } dnat to ${address}:${CONTAINER_PORT}; ` +
      `add table ${family} filter; add chain ${family} filter FORWARD { type filter hook forward priority filter; policy drop; }; ` +
      `add rule ${family} filter FORWARD ct state established,related accept; ` +
      `add rule ${family} filter FORWARD oifname "ctr0" ${family} daddr ${family === 'ip' ? address : address.slice(1, -1)} tcp dport ${CONTAINER_PORT} accept`;
    await g.gateway.exec('nft', [docker('ip', container.ipv4)]);
    await g.gateway.exec('nft', [docker('ip6', `[${container.ipv6}]`)]);
    driver = new NftablesDriver({ table: 'spa_pub', netns: g.gateway.ns });
    g.drivers.push(driver);
  });

  afterAll(() => closeLab(g, container ? [container] : []));

  it('is open to anyone until the port is protected: the input chain never sees it', async () => {
    await driver.setup([{ protocol: 'tcp', port: 22 }]);
    expect(await probe(g.outsider, 4)).toBe('open');
    await driver.setup([{ protocol: 'tcp', port: PUBLISHED }]);
    for (const family of [4, 6] as const) {
      expect(await probe(g.client, family)).toBe('filtered');
      expect(await probe(g.outsider, family)).toBe('filtered');
      // A published port the configuration does not protect is left to Docker's rules.
      expect(await probe(g.outsider, family, UNPROTECTED)).toBe('open');
    }
  });

  it.each([4, 6] as const)(
    'opens the published port to the granted IPv%i address only, until the grant ends',
    async (family) => {
      await driver.grant([{ ...target(family), timeoutSeconds: 2, client: 'alice' }]);
      expect(await probe(g.client, family)).toBe('open');
      expect(await probe(g.outsider, family)).toBe('filtered');
      expect(await probe(g.client, family === 4 ? 6 : 4)).toBe('filtered');
      expect(await waitForTcp(g.client, addressOf(g.gateway, family), PUBLISHED, 'filtered', 6000)).toBe(
        'filtered',
      );
    },
  );

  it("leaves the last word to Docker's own chains: a grant does not accept what they drop", async () => {
    await g.gateway.exec('nft', ['flush', 'chain', 'ip', 'filter', 'FORWARD']);
    await g.gateway.exec('nft', [
      'add',
      'rule',
      'ip',
      'filter',
      'FORWARD',
      'ct',
      'state',
      'established,related',
      'accept',
    ]);
    await driver.grant([{ ...target(4), timeoutSeconds: 30, client: 'alice' }]);
    expect(await probe(g.client, 4)).toBe('filtered');
    await driver.revoke([target(4)]);
  });
});
