/** A large fleet's restart keeps the kernel's knock gate open to known clients while the new daemon builds its tags, and the gate then holds this run's clients only. */

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { nodeBackend } from 'spa-node';
import { formatPublicKey, generateKeyPair } from 'spa-protocol';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Lab } from 'spa-test-kit/lab/netns';
import { waitForTcp } from 'spa-test-kit/lab/probe';
import { KNOCK_PORT, type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PORT = 2222;
// Above the 256 keys whose tags go with the setup: the fleet's tags follow `daemon.listening`, and
// enough of them that their build and transaction take a while after the daemon binds.
const FLEET = 3000;
const KNOCKS = 400;
const KNOCK_GAP_MS = 15;

describe('a large fleet restarting with the nftables knock gate', () => {
  let lab: Lab;
  let spa: ServerProcess;
  let service: ResultPromise;
  let dir: string | undefined;

  /** Packets the gate's tag rule dropped so far (the counter lives with the table, across restarts). */
  const tagDrops = async (): Promise<number> => {
    const out = await lab
      .host('server')
      .exec('nft', ['-j', 'list', 'counter', 'inet', 'spa_e2e', 'knock_tag']);
    const items = JSON.parse(String(out.stdout)).nftables as { counter?: { packets: number } }[];
    return items.find((i) => i.counter)!.counter!.packets;
  };

  beforeAll(async () => {
    lab = await createLab(['server', 'client']);
    service = lab.host('server').exec(process.execPath, [agentPath('tcp-service.mjs'), String(PORT)], {
      reject: false,
    });
    dir = await mkdtemp(join(tmpdir(), 'spa-gate-restart-'));
    const clientsDir = join(dir, 'clients.d');
    await mkdir(clientsDir, { mode: 0o755 });
    for (let i = 0; i < FLEET; i++) {
      const { publicKey } = generateKeyPair(nodeBackend, 'client');
      const file = { publicKey: formatPublicKey('client', publicKey), services: ['ssh'] };
      await writeFile(join(clientsDir, `c${i}.json`), JSON.stringify(file), { mode: 0o644 });
    }
    spa = await startServerProcess({
      host: lab.host('server'),
      backend: 'nftables',
      services: { ssh: `tcp/${PORT}` },
      clients: [{ name: 'alice' }, { name: 'bob' }],
      config: { clientsDir, defaultDuration: 5, log: { level: 'info', refusalsPerSecond: 1000 } },
      readyTimeoutMs: 60_000,
    });
    await spa.waitForLog((l) => l.event === 'knockgate.ready', 60_000);
  }, 180_000);
  afterAll(async () => {
    service?.kill();
    await spa?.stop();
    await spa?.cleanup();
    await lab?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("derives a first start's new keys in a worker thread, and a restart none: they come from the key cache", async () => {
    // The bundled daemon started its agreement worker from the text the bundle carries, with the
    // fleet over its threshold; the table took the worker's secrets, and the knock opens.
    const listening = spa.logs().find((l) => l.event === 'daemon.listening');
    expect(listening?.keysHandedAhead).toBe(FLEET + 2);
    expect(listening?.keysDerivedAhead).toBeGreaterThan(0);
    expect(listening?.keysDerivedAhead).toBeLessThanOrEqual(FLEET + 2);
    const client = lab.host('client');
    await spa.send(client, spa.knock({}, { client: 'alice' }));
    expect(await waitForTcp(client, lab.host('server').ipv4, PORT, 'open', 5000)).toBe('open');
  }, 30_000);

  it('lets known clients in from the moment the new daemon listens, and drops removed ones once its tags are in', async () => {
    const server = lab.host('server');
    const client = lab.host('client');
    // alice knocks every 15 ms across the whole restart: to the old daemon, to no socket while the
    // new one starts, while it builds the fleet's tags, and after they are in. Sending before the
    // stop: the sender's own start (a node process) cannot delay its knocks past the restart.
    const knocks = Array.from({ length: KNOCKS }, () =>
      Buffer.from(spa.knock({}, { client: 'alice' })).toString('hex'),
    );
    const sending = client.exec(process.execPath, [
      agentPath('send-spaced.mjs'),
      server.ipv4,
      String(KNOCK_PORT),
      String(KNOCK_GAP_MS),
      ...knocks,
    ]);
    await spa.waitForLog((l) => l.event === 'knock.accepted', 10_000);
    await spa.stop();
    // bob is removed while the daemon is stopped: the kernel still holds his tags from the last run.
    const config = JSON.parse(await readFile(spa.configPath, 'utf8')) as { clients: { name: string }[] };
    config.clients = config.clients.filter((c) => c.name !== 'bob');
    await writeFile(spa.configPath, JSON.stringify(config));
    const bobKnock = spa.knock({}, { client: 'bob' });
    const dropsBefore = await tagDrops();
    spa = await startServerProcess({ host: server, backend: 'nftables', reuse: spa, readyTimeoutMs: 60_000 });
    const ready = await spa.waitForLog((l) => l.event === 'knockgate.ready', 60_000);
    expect(spa.logs().find((l) => l.event === 'daemon.listening')?.keysHandedAhead).toBe(0);
    await sending;
    const accepted = spa.logs().filter((l) => l.event === 'knock.accepted');
    expect(accepted.length).toBeGreaterThan(0);
    // The first grant came before the fleet's tags reached the kernel: the gate had kept the last run's.
    expect(Date.parse(String(accepted[0]!.ts))).toBeLessThan(Date.parse(String(ready.ts)));
    // Not one of alice's datagrams was dropped for want of a tag: the gate was never empty.
    expect(await tagDrops()).toBe(dropsBefore);
    expect(await waitForTcp(client, server.ipv4, PORT, 'open', 5000)).toBe('open');

    // Once this run's tags are in, bob's (kept until then) are gone: his knock never reaches the daemon.
    await spa.send(client, bobKnock);
    for (let i = 0; i < 100 && (await tagDrops()) === dropsBefore; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await tagDrops()).toBe(dropsBefore + 1);
    expect(spa.logs().filter((l) => l.event === 'knock.refused' && l.reason === 'unknown-client')).toEqual(
      [],
    );
  }, 120_000);

  it("a restart whose key cache is gone, the clients-dir cache kept, derives the files' keys in the worker too", async () => {
    await spa.stop();
    const state = join(spa.dir, 'state');
    await rm(join(state, 'client-keys.cache'));
    await readFile(join(state, 'clients-dir.cache')); // kept: the files are not read again
    spa = await startServerProcess({
      host: lab.host('server'),
      backend: 'nftables',
      reuse: spa,
      readyTimeoutMs: 60_000,
    });
    const listening = spa.logs().find((l) => l.event === 'daemon.listening');
    // alice alone is in server.json (one key, too few for a worker): the remembered files' keys were
    // offered and handed over too. How many the worker derived depends on how fast it started.
    expect(listening?.keysHandedAhead).toBe(FLEET + 1);
    // Files the cache vouches for are not read again (those written within 2 s of a read are: their
    // stamp may lie), so their keys reached the worker as remembered ones.
    expect(spa.logs().find((l) => l.event === 'dircache.loaded')?.files).toBeGreaterThan(0);
    await spa.waitForLog((l) => l.event === 'knockgate.ready', 60_000);
    const client = lab.host('client');
    await spa.send(client, spa.knock({}, { client: 'alice' }));
    expect(await waitForTcp(client, lab.host('server').ipv4, PORT, 'open', 5000)).toBe('open');
  }, 120_000);
});
