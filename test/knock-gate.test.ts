/** The kernel's knock gate (nftables): unknown tags, short datagrams and copies of granted knocks never reach the daemon, and the gate follows reloads and repairs. */

import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { ResultPromise } from 'execa';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { type ScrapedMetrics, scrapeMetrics } from 'spa-test-kit/processes/server-observe';
import { type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TCP_SERVICE = agentPath('tcp-service.mjs');
const PORT = 2222;
const METRICS = { address: '127.0.0.1', port: 9263 };

describe('the kernel knock gate (nftables)', () => {
  let lab: Lab;
  let spa: ServerProcess;
  let service: ResultPromise;

  const metrics = (): Promise<ScrapedMetrics> =>
    scrapeMetrics(lab.host('server'), METRICS.address, METRICS.port);
  /** Sends, then waits until the kernel counted `reason` `by` more times; returns what the daemon read meanwhile. */
  const dropped = async (reason: string, by: number, send: () => Promise<void>): Promise<number> => {
    const before = await metrics();
    await send();
    for (let i = 0; i < 100; i++) {
      const now = await metrics();
      if ((now.kernelDropped[reason] ?? 0) - (before.kernelDropped[reason] ?? 0) >= by) {
        return now.received - before.received;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the kernel did not count ${by} ${reason} drops: ${JSON.stringify(await metrics())}`);
  };

  beforeAll(async () => {
    lab = await createLab(['server', 'alice', 'bob']);
    service = lab.host('server').exec(process.execPath, [TCP_SERVICE, String(PORT)], { reject: false });
    spa = await startServerProcess({
      host: lab.host('server'),
      backend: 'nftables',
      services: { ssh: `tcp/${PORT}` },
      clients: [{ name: 'alice' }, { name: 'bob' }],
      config: {
        defaultDuration: 30,
        log: { level: 'info', refusalsPerSecond: 1000 },
        metrics: { listen: `${METRICS.address}:${METRICS.port}` },
      },
    });
  });
  afterAll(async () => {
    service?.kill();
    await spa?.cleanup();
    await lab?.destroy();
  });

  it('drops datagrams without a current client tag, and too short to carry one, before the daemon reads them', async () => {
    const alice = lab.host('alice');
    const knock = spa.knock({}, { client: 'alice' });
    // Well-formed as anyone holding the public keys can make it, but with a tag no client has.
    const forged = Uint8Array.from(knock);
    forged.set(randomBytes(16), 4);
    expect(await dropped('unknown-client', 20, () => spa.send(alice, Array(20).fill(forged)))).toBe(0);
    expect(
      await dropped('size', 3, () => spa.send(alice, [randomBytes(1), randomBytes(19), randomBytes(259)])),
    ).toBe(0);
    expect(await dropped('size', 1, () => spa.send(alice, randomBytes(1201)))).toBe(0);
    expect(await probeTcp(alice, lab.host('server').ipv4, PORT)).toBe('filtered');
    // A sniffed tag passes the kernel: the daemon refuses it at mac2, and counts it.
    const sniffed = Uint8Array.from(knock);
    sniffed.set(randomBytes(knock.length - 36), 36);
    const before = await metrics();
    await spa.send(alice, sniffed);
    await spa.waitForLog((l) => l.event === 'knock.refused' && l.reason === 'bad-mac');
    expect((await metrics()).received).toBe(before.received + 1);
  });

  it('drops byte copies of a granted knock in the kernel, from any source', async () => {
    const [alice, bob] = [lab.host('alice'), lab.host('bob')];
    const knock = spa.knock({ addresses: [alice.ipv4] }, { client: 'alice' });
    await spa.send(alice, knock);
    expect(await waitForTcp(alice, lab.host('server').ipv4, PORT, 'open')).toBe('open');
    // The nonce reaches the kernel's spent set right after the grant.
    await new Promise((r) => setTimeout(r, 200));
    expect(await dropped('replay', 10, () => spa.send(bob, Array(10).fill(knock)))).toBe(0);
    expect(await dropped('replay', 1, () => spa.send(alice, knock))).toBe(0);
    expect(await probeTcp(bob, lab.host('server').ipv4, PORT)).toBe('filtered');
  });

  it('follows reloads: a removed client is dropped in the kernel, an added one opens at once', async () => {
    const bob = lab.host('bob');
    const original = await readFile(spa.configPath, 'utf8');
    const config = JSON.parse(original) as { clients: { name: string }[] };
    const reloaded = async (text: string): Promise<void> => {
      const seen = new Set(spa.logs());
      await writeFile(spa.configPath, text);
      await spa.reload();
      await spa.waitForLog((l) => l.event === 'daemon.reloaded' && !seen.has(l));
      await new Promise((r) => setTimeout(r, 300)); // the tags' transaction follows the swap
    };
    await reloaded(JSON.stringify({ ...config, clients: config.clients.filter((c) => c.name !== 'bob') }));
    expect(await dropped('unknown-client', 1, () => spa.send(bob, spa.knock({}, { client: 'bob' })))).toBe(0);
    await reloaded(original);
    await spa.send(bob, spa.knock({}, { client: 'bob' }));
    expect(await waitForTcp(bob, lab.host('server').ipv4, PORT, 'open')).toBe('open');
  });

  it('comes back with the table: after `nft delete table`, the repaired gate still lets knocks in', async () => {
    const [server, alice] = [lab.host('server'), lab.host('alice')];
    const table = String((await server.exec('nft', ['-j', 'list', 'tables'])).stdout).match(
      /"name": "(spa\w*)"/,
    )?.[1];
    expect(table).toBeDefined();
    await server.exec('nft', ['delete', 'table', 'inet', table!]);
    await spa.waitForLog((l) => l.event === 'firewall.rebuilt', 10_000);
    const { stdout } = await server.exec('nft', ['list', 'table', 'inet', table!]);
    expect(String(stdout)).toMatch(/set knock_tags \{[^}]*elements = \{ 0x/);
    expect(String(stdout)).toContain('@knock_tags');
    await spa.send(alice, spa.knock({ addresses: [alice.ipv4] }, { client: 'alice' }));
    expect(await waitForTcp(alice, server.ipv4, PORT, 'open')).toBe('open');
  });

  // iptables-nft's filter tables made dormant: test/fail-closed.test.ts and the drivers' contract.
  it('made dormant underneath (every rule off, every object kept): woken at once by the kernel event', async () => {
    const server = lab.host('server');
    const table = String((await server.exec('nft', ['-j', 'list', 'tables'])).stdout).match(
      /"name": "(spa\w*)"/,
    )?.[1];
    const rebuilt = () => spa.logs().filter((l) => l.event === 'firewall.rebuilt').length;
    const before = rebuilt();
    const flaggedAt = Date.now();
    await server.exec('nft', ['add', 'table', 'inet', table!, '{ flags dormant; }']);
    await spa.waitForLog(() => rebuilt() > before, 3000);
    // At once, not at the next periodic check (every 5 s).
    expect(Date.now() - flaggedAt).toBeLessThan(3000);
    const listing = String((await server.exec('nft', ['list', 'table', 'inet', table!])).stdout);
    expect(listing).not.toContain('dormant');
    expect(listing).toContain('@knock_tags');
  });
  // Found by counting rules before: a rule replaced in place keeps its chain's count (and handle).
  it('a rule replaced underneath (drop turned accept): repaired at once, the original rule back', async () => {
    const server = lab.host('server');
    const table = String((await server.exec('nft', ['-j', 'list', 'tables'])).stdout).match(
      /"name": "(spa\w*)"/,
    )?.[1];
    const listed = String(
      (await server.exec('nft', ['-a', 'list', 'chain', 'inet', table!, 'input'])).stdout,
    );
    const line = listed.split('\n').find((l) => l.includes('@protected drop') && !l.includes('tcp flags'));
    const handle = line?.match(/# handle (\d+)/)?.[1];
    expect(handle).toBeDefined();
    const rebuilt = () => spa.logs().filter((l) => l.event === 'firewall.rebuilt').length;
    const before = rebuilt();
    const replacedAt = Date.now();
    await server.exec('nft', ['replace', 'rule', 'inet', table!, 'input', 'handle', handle!, 'accept']);
    await spa.waitForLog(() => rebuilt() > before, 3000);
    expect(Date.now() - replacedAt).toBeLessThan(3000);
    const after = String((await server.exec('nft', ['list', 'chain', 'inet', table!, 'input'])).stdout);
    expect(after.split('\n').filter((l) => l.trim() === 'accept')).toEqual([]);
    expect(after).toContain('meta l4proto . th dport @protected drop');
  });
});
