/** Two gateways sharing one server key and one real redis-server: each knock is granted once in all, nothing opens while Redis is down, service resumes without a restart. */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { type RedisServer, startRedis } from 'spa-test-kit/lab/redis';
import { scrapeMetrics, waitForDrain } from 'spa-test-kit/processes/server-observe';
import { type LogLine, type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TCP_SERVICE = agentPath('tcp-service.mjs');
const PORT = 2222;
const METRICS_PORT = 9262;
const GRANT_SECONDS = 3;

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a fleet sharing one replay record in Redis (nftables)', () => {
  let lab: Lab;
  let dir: string;
  let redis: RedisServer;
  let gw1: ServerProcess;
  let gw2: ServerProcess;
  const services: ResultPromise[] = [];

  const accepted = (gw: ServerProcess): LogLine[] => gw.logs().filter((l) => l.event === 'knock.accepted');
  const events = (gw: ServerProcess, event: string): LogLine[] => gw.logs().filter((l) => l.event === event);
  const metrics = (gw: ServerProcess) => scrapeMetrics(gw.host, '127.0.0.1', METRICS_PORT);
  const drained = (gw: ServerProcess) => waitForDrain(gw.host, '127.0.0.1', METRICS_PORT);
  /** Both gateways' ports as alice sees them, once any grant from earlier tests has ended. */
  const bothFiltered = async () => {
    const alice = lab.host('alice');
    for (const gw of [gw1, gw2]) {
      expect(await waitForTcp(alice, gw.host.ipv4, PORT, 'filtered', GRANT_SECONDS * 1000 + 3000)).toBe(
        'filtered',
      );
    }
  };

  // Signed-address knocks: a fleet refuses source mode (a copy granted first by another gateway could
  // not be revoked by the race guard).
  const signed = (gw: ServerProcess): Uint8Array => gw.knock({ addresses: [lab.host('alice').ipv4] });

  beforeAll(async () => {
    lab = await createLab(['gw1', 'gw2', 'alice']);
    dir = await mkdtemp(join(tmpdir(), 'spa-fleet-'));
    redis = await startRedis(dir);
    for (const name of ['gw1', 'gw2']) {
      services.push(lab.host(name).exec(process.execPath, [TCP_SERVICE, String(PORT)], { reject: false }));
    }
    gw1 = await startServerProcess({
      host: lab.host('gw1'),
      backend: 'nftables',
      services: { ssh: `tcp/${PORT}` },
      clients: [{ name: 'alice', allowSourceAddress: false }],
      config: {
        defaultDuration: GRANT_SECONDS,
        metrics: { listen: `127.0.0.1:${METRICS_PORT}` },
        replay: {
          store: 'redis',
          url: redis.url,
          username: redis.username,
          passwordFile: redis.passwordFile,
          timeout: 300,
        },
      },
    });
    gw2 = await startServerProcess({ host: lab.host('gw2'), backend: 'nftables', identity: gw1 });
  });
  afterAll(async () => {
    for (const s of services) s.kill();
    for (const gw of [gw1, gw2]) await gw?.cleanup();
    await redis?.stop();
    await lab?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts both gateways on the shared store, with one server key', async () => {
    for (const gw of [gw1, gw2]) {
      expect(await gw.waitForLog((l) => l.event === 'daemon.listening')).toMatchObject({
        replayStore: 'redis',
      });
    }
    expect(gw2.serverPublicKey).toBe(gw1.serverPublicKey);
    // Keys name the server by its public key and the knock by hex; no other key is allowed the ACL user.
    const knock = signed(gw1);
    await gw1.send(lab.host('alice'), knock);
    await gw1.waitForLog((l) => l.event === 'knock.accepted');
    const keys = (await redis.cli(['--scan', '--pattern', '*'])).split('\n').filter(Boolean);
    const prefix = `spa:${Buffer.from(gw1.serverPublicKeyBytes).toString('hex')}:`;
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) expect(key).toMatch(new RegExp(`^${prefix}(floor|n:[0-9a-f]{64})$`));
  });

  it('a knock accepted by one gateway is refused by the other as a replay, and opens nothing there', async () => {
    await bothFiltered();
    const alice = lab.host('alice');
    const knock = signed(gw1);
    const before2 = accepted(gw2).length;
    await gw1.send(alice, knock);
    expect(await waitForTcp(alice, gw1.host.ipv4, PORT, 'open', 3000)).toBe('open');

    await gw2.send(alice, knock);
    const refused = await gw2.waitForLog((l) => l.event === 'knock.refused' && l.reason === 'replay');
    expect(refused.client).toBeUndefined();
    expect(await probeTcp(alice, gw2.host.ipv4, PORT)).toBe('filtered');
    expect(accepted(gw2).length).toBe(before2);
  });

  it('the same datagram sent to both gateways at once is granted exactly once', async () => {
    await bothFiltered();
    const alice = lab.host('alice');
    for (let round = 0; round < 3; round++) {
      const before = [accepted(gw1).length, accepted(gw2).length];
      const knock = signed(gw1);
      const granted = () => accepted(gw1).length - before[0]! + (accepted(gw2).length - before[1]!);
      await Promise.all([gw1.send(alice, knock), gw2.send(alice, knock)]);
      // Probed as soon as one grant is logged, while it is surely live; then both have decided.
      await until(() => granted() > 0);
      const open = await Promise.all([gw1, gw2].map((gw) => probeTcp(alice, gw.host.ipv4, PORT)));
      await Promise.all([drained(gw1), drained(gw2)]);
      expect(granted()).toBe(1);
      expect(open.filter((s) => s === 'open')).toHaveLength(1);
      await bothFiltered();
    }
  });

  it('with Redis stopped, every knock is refused and counted, the outage logged once, and nothing opens', async () => {
    await bothFiltered();
    const alice = lab.host('alice');
    const acceptedBefore = [accepted(gw1).length, accepted(gw2).length];
    await redis.stop();
    for (let i = 0; i < 3; i++) {
      const knock = signed(gw1);
      await Promise.all([gw1.send(alice, knock), gw2.send(alice, signed(gw2))]);
      await new Promise((r) => setTimeout(r, 300));
    }
    for (const gw of [gw1, gw2]) {
      const m = await drained(gw);
      expect(m.refused['replay-store-unreachable']).toBe(3);
      expect(events(gw, 'replay.unreachable')).toHaveLength(1);
      expect(await probeTcp(alice, gw.host.ipv4, PORT)).toBe('filtered');
    }
    expect([accepted(gw1).length, accepted(gw2).length]).toEqual(acceptedBefore);
  });

  it('restarting Redis resumes service on both gateways without restarting either daemon', async () => {
    const alice = lab.host('alice');
    const pids = [gw1.pid, gw2.pid];
    await redis.start();
    for (const gw of [gw1, gw2]) await gw.waitForLog((l) => l.event === 'replay.reachable', 10_000);
    for (const gw of [gw1, gw2]) {
      await gw.send(alice, signed(gw));
      expect(await waitForTcp(alice, gw.host.ipv4, PORT, 'open', 3000)).toBe('open');
      expect(events(gw, 'daemon.listening')).toHaveLength(1);
    }
    expect([gw1.pid, gw2.pid]).toEqual(pids);
    // The new Redis is shared again: a knock gw2 granted is a replay on gw1.
    await bothFiltered();
    const knock = signed(gw2);
    await gw2.send(alice, knock);
    await waitForTcp(alice, gw2.host.ipv4, PORT, 'open', 3000);
    const replaysBefore = (await metrics(gw1)).refused.replay ?? 0;
    await gw1.send(alice, knock);
    await drained(gw1);
    expect((await metrics(gw1)).refused.replay).toBe(replaysBefore + 1);
    expect(await probeTcp(alice, gw1.host.ipv4, PORT)).toBe('filtered');
  });
});
