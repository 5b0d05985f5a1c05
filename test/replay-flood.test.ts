/** One client floods valid knocks at a real spa-server (nftables, lab namespaces, a small replay store): another client's knock still opens its port. */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp } from 'spa-test-kit/lab/probe';
import { CLIENT_BIN, directOpenArgs } from 'spa-test-kit/processes/client-process';
import { waitForDrain } from 'spa-test-kit/processes/server-observe';
import { KNOCK_PORT, type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SENDER = agentPath('fuzz-sender.mjs');
const TCP_SERVICE = agentPath('tcp-service.mjs');
const PORT = 2222;
const METRICS = { address: '127.0.0.1', port: 9262 };
const FLOOD = 2000;
const CAPACITY = 64;
const PER_CLIENT = 16;
const BURST = 10;

describe('one client flooding valid knocks (nftables)', () => {
  let lab: Lab;
  let spa: ServerProcess;
  let service: ResultPromise;
  let dir: string;

  beforeAll(async () => {
    lab = await createLab(['server', 'alice', 'bob']);
    dir = await mkdtemp(join(tmpdir(), 'spa-replay-flood-'));
    service = lab.host('server').exec(process.execPath, [TCP_SERVICE, String(PORT)], { reject: false });
    spa = await startServerProcess({
      host: lab.host('server'),
      backend: 'nftables',
      services: { ssh: `tcp/${PORT}` },
      clients: [{ name: 'alice' }, { name: 'bob' }],
      config: {
        // The per-source limits out of the way: what is tested is what one client key can do.
        rateLimit: { perSourceRate: 100_000, perSourceBurst: 100_000, perClientBurst: BURST },
        replay: { capacity: CAPACITY, perClient: PER_CLIENT },
        log: { level: 'info', refusalsPerSecond: 20 },
        metrics: { listen: `${METRICS.address}:${METRICS.port}` },
      },
    });
  });
  afterAll(async () => {
    service?.kill();
    await spa?.cleanup();
    await lab?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("cannot get another client's knock refused: bob's knock opens his port", async () => {
    const server = lab.host('server');
    const bob = lab.host('bob');
    // FLOOD distinct valid knocks signed by alice's key, as fast as the socket takes them. A quarter are
    // dated 50 s ahead (what once pushed the store's floor past "now" for a minute), the rest within
    // the future window.
    const now = Date.now();
    const records: Buffer[] = [];
    for (let i = 0; i < FLOOD; i++) {
      const nowMs = i % 4 === 3 ? now + 50_000 : now + 1 + ((i * 37) % 4000);
      const knock = spa.knock({}, { client: 'alice', nowMs });
      const length = Buffer.alloc(4);
      length.writeUInt32BE(knock.length);
      records.push(length, Buffer.from(knock));
    }
    const corpus = join(dir, 'alice.bin');
    await writeFile(corpus, Buffer.concat(records), { mode: 0o600 });
    const flood = await lab
      .host('alice')
      .exec(process.execPath, [
        SENDER,
        JSON.stringify({ corpus, to: server.ipv4, port: KNOCK_PORT, count: FLOOD, durationMs: 10_000 }),
      ]);
    const sent = JSON.parse(String(flood.stdout)) as { sent: number; answered: number };
    expect(sent).toMatchObject({ sent: FLOOD, answered: 0 });
    const afterFlood = await waitForDrain(server, METRICS.address, METRICS.port);
    expect(afterFlood.received).toBeGreaterThan(FLOOD / 2); // most of it reached the daemon

    const knock = await bob.exec(
      CLIENT_BIN,
      directOpenArgs(
        { host: server.ipv4, serverKey: spa.serverPublicKey, keyFile: spa.clients[1]!.keyFile },
        PORT,
        '--wait',
        '--timeout',
        '4',
        '--json',
      ),
      { reject: false },
    );
    expect(knock.exitCode, String(knock.stderr)).toBe(0);
    expect(await probeTcp(bob, server.ipv4, PORT)).toBe('open');
    await spa.waitForLog((l) => l.event === 'knock.accepted' && l.client === 'bob');
    expect(spa.logs().filter((l) => l.event === 'knock.refused' && l.client === 'bob')).toEqual([]);

    // alice got her burst through, and nothing beyond her share; nobody was refused for a full store.
    const m = await waitForDrain(server, METRICS.address, METRICS.port);
    const aliceAccepted = m.accepted - 1;
    expect(aliceAccepted).toBeGreaterThanOrEqual(1);
    expect(aliceAccepted).toBeLessThanOrEqual(PER_CLIENT);
    expect(m.refused['client-rate-limited']).toBeGreaterThan(0);
    expect(m.refused['replay-full'] ?? 0).toBe(0);
    // The knocks dated far ahead: stale at the window, or an unknown tag when their minute is not held yet.
    // (With the knock gate, an unknown tag is dropped by the kernel before the daemon reads it.)
    const unknownTags = (m.refused['unknown-client'] ?? 0) + (m.kernelDropped['unknown-client'] ?? 0);
    expect((m.refused.stale ?? 0) + unknownTags).toBeGreaterThan(0);
    expect(m.replayEntries).toBeLessThanOrEqual(PER_CLIENT + 1);
    console.info(
      `replay flood: ${FLOOD} sent, ${afterFlood.received} read, alice accepted ${aliceAccepted}, ` +
        `${m.refused['client-rate-limited']} client-rate-limited, ${m.refused.stale ?? 0} stale, ` +
        `${m.refused['queue-full'] ?? 0} queue-full; bob opened`,
    );
  });
});
