/** Port ranges against the kernel: nftables opens a whole range for one address only; iptables refuses ranges. */
import { execa, type ResultPromise } from 'execa';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Grant, GrantTarget, PortSpec } from '../../src/firewall/driver.js';
import { IptablesDriver } from '../../src/firewall/iptables/iptables.js';
import { NftablesDriver } from '../../src/firewall/nftables/nftables.js';

const TABLE = 'spa_range';
const RANGE = { protocol: 'tcp', port: 8000, lastPort: 8010 } as const;
/** The range, and single ports on either side of it, all protected. */
const PORTS: readonly PortSpec[] = [{ protocol: 'tcp', port: 7999 }, RANGE, { protocol: 'tcp', port: 8011 }];
const INSIDE = [8000, 8005, 8010];
const OUTSIDE = [7999, 8011];
const PROBE_MS = 300;
const HOLD = agentPath('hold-connection.mjs');
const TCP_SERVICE = agentPath('tcp-service.mjs');

// Nothing listens but on 8005: a port that answers with a reset (closed) was let through the
// firewall as surely as an open one; silence (filtered) is the drop.
const reachable = (state: string): boolean => state === 'open' || state === 'closed';

describe('nftables: a grant for tcp/8000-8010', () => {
  let lab: Lab;
  let server: Host;
  let client: Host;
  let outsider: Host;
  let service: ResultPromise | undefined;
  const drivers: NftablesDriver[] = [];
  const make = (table = TABLE): NftablesDriver => {
    const driver = new NftablesDriver({ table, netns: server.ns });
    drivers.push(driver);
    return driver;
  };
  const target = (host: Host, family: 4 | 6): GrantTarget => ({
    family,
    address: family === 4 ? host.ipv4 : host.ipv6,
    ...RANGE,
  });
  const grant = (host: Host, family: 4 | 6, timeoutSeconds: number, client = 'alice'): Grant => ({
    ...target(host, family),
    timeoutSeconds,
    client,
  });
  const states = (from: Host, address: string, ports: readonly number[]) =>
    Promise.all(ports.map((port) => probeTcp(from, address, port, PROBE_MS)));

  beforeAll(async () => {
    lab = await createLab(['server', 'client', 'outsider']);
    server = lab.host('server');
    client = lab.host('client');
    outsider = lab.host('outsider');
    service = server.exec(process.execPath, [TCP_SERVICE, '8005'], { reject: false });
    await new Promise<void>((resolve) => service?.stdout?.once('data', () => resolve()));
    await make().setup(PORTS);
  });

  afterAll(async () => {
    for (const d of drivers) await d.close().catch(() => {});
    service?.kill();
    await service;
    await lab?.destroy();
  });

  it('drops the range and the ports beside it for everyone before any grant', async () => {
    const [driver] = drivers;
    expect(await driver!.isIntact()).toBe(true);
    const { ports } = await driver!.inspect();
    expect(ports).toHaveLength(PORTS.length);
    expect(ports).toEqual(expect.arrayContaining([...PORTS]));
    for (const address of [server.ipv4, server.ipv6]) {
      expect(await states(client, address, [...OUTSIDE, ...INSIDE])).toEqual(Array(5).fill('filtered'));
    }
  });

  it.each([4, 6] as const)('opens 8000, 8005 and 8010 to the granted IPv%i address only', async (family) => {
    const [driver] = drivers;
    const address = family === 4 ? server.ipv4 : server.ipv6;
    await driver!.grant([grant(client, family, 30)]);
    expect((await states(client, address, INSIDE)).every(reachable)).toBe(true);
    expect(await probeTcp(client, address, 8005, PROBE_MS)).toBe('open');
    expect(await states(client, address, OUTSIDE)).toEqual(['filtered', 'filtered']);
    expect(await states(outsider, address, INSIDE)).toEqual(['filtered', 'filtered', 'filtered']);
    // The other family of the same host has no grant.
    const other = family === 4 ? server.ipv6 : server.ipv4;
    expect(await probeTcp(client, other, 8005, PROBE_MS)).toBe('filtered');
    expect(await driver!.list()).toEqual([
      expect.objectContaining({ ...target(client, family), client: 'alice' }),
    ]);
    await driver!.revoke([target(client, family)]);
    expect(await states(client, address, INSIDE)).toEqual(['filtered', 'filtered', 'filtered']);
    expect(await driver!.list()).toEqual([]);
  });

  it('extends a repeated range grant instead of duplicating it, and a single port inside stays apart', async () => {
    const [driver] = drivers;
    await driver!.grant([grant(client, 4, 2, 'first')]);
    await driver!.grant([grant(client, 4, 30, 'second')]);
    // A port asked for by number inside the range is its own element (the hash set), not an overlap.
    await driver!.grant([{ ...grant(client, 4, 30, 'single'), port: 8005, lastPort: undefined }]);
    const listed = await driver!.list();
    expect(listed).toHaveLength(2);
    expect(listed).toContainEqual(expect.objectContaining({ port: 8000, lastPort: 8010, client: 'second' }));
    expect(listed.find((g) => g.lastPort !== undefined)?.expiresInSeconds).toBeGreaterThanOrEqual(27);
    await new Promise((r) => setTimeout(r, 2500));
    expect((await states(client, server.ipv4, INSIDE)).every(reachable)).toBe(true);
    // Closing the range leaves the single port's own grant.
    await driver!.revoke([target(client, 4)]);
    expect(await states(client, server.ipv4, [8000, 8005, 8010])).toEqual(['filtered', 'open', 'filtered']);
    await driver!.revoke([{ ...target(client, 4), port: 8005, lastPort: undefined }]);
    expect(await probeTcp(client, server.ipv4, 8005, PROBE_MS)).toBe('filtered');
  });

  it('closes the whole range on time by itself', async () => {
    const [driver] = drivers;
    await driver!.grant([grant(client, 6, 2)]);
    expect(await probeTcp(client, server.ipv6, 8010, PROBE_MS)).not.toBe('filtered');
    expect(await waitForTcp(client, server.ipv6, 8010, 'filtered', 6000)).toBe('filtered');
    expect(await states(client, server.ipv6, INSIDE)).toEqual(['filtered', 'filtered', 'filtered']);
    expect(await driver!.list()).toEqual([]);
  });

  it('forgets the connections into a closed range', async () => {
    const [driver] = drivers;
    await driver!.grant([grant(client, 4, 30)]);
    const holder = client.exec(process.execPath, [HOLD, server.ipv4, '8005', '1500'], { reject: false });
    await new Promise<void>((resolve) => holder.stdout?.once('data', () => resolve()));
    await driver!.revoke([target(client, 4)]);
    await driver!.forgetConnections([target(client, 4)]);
    expect((await holder).stdout).not.toContain('echo-ok');
  });

  it('keeps a live range through a restart, and re-creates it after the table is deleted', async () => {
    await drivers[0]!.grant([grant(client, 4, 60, 'survivor')]);
    const restarted = make();
    await restarted.setup(PORTS);
    expect(await restarted.list()).toEqual([
      expect.objectContaining({ ...target(client, 4), client: 'survivor' }),
    ]);
    expect(await probeTcp(client, server.ipv4, 8010, PROBE_MS)).toBe('closed');
    // What the daemon does when the table vanishes: setup again, then the grants its ledger holds.
    await server.exec('nft', ['delete', 'table', 'inet', TABLE]);
    expect(await restarted.isIntact()).toBe(false);
    await restarted.setup(PORTS);
    expect(await probeTcp(client, server.ipv4, 8010, PROBE_MS)).toBe('filtered');
    await restarted.grant([grant(client, 4, 60, 'survivor')]);
    expect(await states(client, server.ipv4, [7999, 8000, 8011])).toEqual(['filtered', 'closed', 'filtered']);
    await restarted.revoke([target(client, 4)]);
  });

  it('carries range grants over when it rebuilds a table of another shape', async () => {
    await execa('ip', [
      'netns',
      'exec',
      server.ns,
      'nft',
      'add table inet spa_old; add chain inet spa_old input { type filter hook input priority 10; }; ' +
        'add set inet spa_old allow4_range { type ipv4_addr . inet_proto . inet_service; flags interval,timeout; }; ' +
        `add element inet spa_old allow4_range { ${client.ipv4} . tcp . 8000-8010 timeout 90s comment "kept" }`,
    ]);
    const driver = make('spa_old');
    await driver.setup(PORTS);
    expect(await driver.isIntact()).toBe(true);
    expect(await driver.list()).toEqual([expect.objectContaining({ ...target(client, 4), client: 'kept' })]);
    await driver.flush();
  });
});

describe('iptables: port ranges are refused', () => {
  let lab: Lab;
  let driver: IptablesDriver;
  beforeAll(async () => {
    lab = await createLab(['server']);
    driver = new IptablesDriver({ variant: 'nft', prefix: 'sparange', netns: lab.host('server').ns });
  });
  afterAll(async () => {
    await driver?.close().catch(() => {});
    await lab?.destroy();
  });

  it('refuses a range at setup and in a grant, and installs nothing for it', async () => {
    const refused = { code: 'FIREWALL_INVALID_INPUT', message: expect.stringContaining('tcp/8000-8010') };
    await expect(driver.setup(PORTS)).rejects.toMatchObject(refused);
    expect((await driver.inspect()).protection).toBe('missing');
    await driver.setup([{ protocol: 'tcp', port: 22 }]);
    const address = lab.host('server').ipv4;
    await expect(
      driver.grant([{ family: 4, address, ...RANGE, timeoutSeconds: 30, client: 'alice' }]),
    ).rejects.toMatchObject(refused);
    expect(await driver.list()).toEqual([]);
    await driver.flush();
  });
});
