/** kill -9 with grants active: the kernel still ends them on time, a restart leaves nothing stale open (nor a removed client's grant, nor one of a rotated key after a reload), replays stay refused, fresh knocks work once the restart's floor has passed. */

import { readFile, writeFile } from 'node:fs/promises';
import type { ResultPromise } from 'execa';
import { nodeBackend } from 'spa-node';
import { formatPublicKey, generateKeyPair } from 'spa-protocol';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { SERVER_BIN, type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TCP_SERVICE = agentPath('tcp-service.mjs');
const PORT = 2222;
const GRANT_SECONDS = 2;
const LIVE_GRANT_SECONDS = 8;
/** Outlasts the restart by far: a grant still open after it was kept, not merely not yet ended. */
const LONG_GRANT_SECONDS = 120;

describe.each(['nftables', 'iptables'] as const)('crash safety (%s)', (backend) => {
  let lab: Lab;
  let service: ResultPromise;
  const running: ServerProcess[] = [];
  /** Runs on files of their own (not running[0]'s): their temp dirs go at the end. */
  const ownDirs: ServerProcess[] = [];
  const start = async (reuse?: ServerProcess) => {
    const proc = await startServerProcess({
      host: lab.host('server'),
      backend,
      services: { ssh: `tcp/${PORT}` },
      config: { defaultDuration: GRANT_SECONDS },
      ...(reuse ? { reuse } : {}),
    });
    running.push(proc);
    return proc;
  };
  const grants = async (proc: ServerProcess) => {
    const { stdout } = await lab
      .host('server')
      .exec(SERVER_BIN, ['status', '--json', '--config', proc.configPath]);
    return (JSON.parse(String(stdout)) as { grants: unknown[] }).grants;
  };

  beforeAll(async () => {
    lab = await createLab(['server', 'alice', 'bob', 'outsider']);
    service = lab.host('server').exec(process.execPath, [TCP_SERVICE, String(PORT)], { reject: false });
  });
  afterAll(async () => {
    service?.kill();
    for (const proc of running) await proc.kill9();
    await running[0]?.cleanup();
    for (const proc of ownDirs) await proc.cleanup();
    await lab?.destroy();
  });

  it('a grant outlives the killed daemon only until its own end; the restart opens nothing and refuses the replay', async () => {
    const alice = lab.host('alice');
    const server = lab.host('server');
    const first = await start();
    const knock = first.knock();
    const sentAt = Date.now();
    await first.send(alice, knock);
    expect(await waitForTcp(alice, server.ipv4, PORT, 'open', 1500)).toBe('open');

    await first.kill9();
    // Dead daemon, live grant: the kernel holds it...
    expect(await probeTcp(alice, server.ipv4, PORT)).toBe('open');
    // ...and ends it on time, with nobody left to ask it to.
    expect(await waitForTcp(alice, server.ipv4, PORT, 'filtered', GRANT_SECONDS * 1000 + 2000)).toBe(
      'filtered',
    );
    expect(Date.now() - sentAt).toBeLessThan(GRANT_SECONDS * 1000 + 2500);

    const second = await start(first);
    expect(await grants(second)).toEqual([]);
    expect(await probeTcp(alice, server.ipv4, PORT)).toBe('filtered');
    expect(await probeTcp(lab.host('outsider'), server.ipv4, PORT)).toBe('filtered');

    // The very datagram the dead daemon accepted, still inside the time window: a replay.
    await second.send(alice, knock);
    const refused = await second.waitForLog((l) => l.event === 'knock.refused' && l.src === alice.ipv4);
    expect(refused).toMatchObject({ reason: 'replay' });
    expect(refused.client).toBeUndefined(); // refused before the signature: the claimed key id names no one
    expect(await probeTcp(alice, server.ipv4, PORT)).toBe('filtered');
    expect(second.logs().some((l) => l.event === 'knock.accepted')).toBe(false);

    // The dead daemon synced no record before its grant: the restart refuses every timestamp it could
    // have accepted, up to its clock plus the future window (and the mark's lead), so a fresh knock
    // made at once is stale...
    const recovered = await second.waitForLog((l) => l.event === 'replay.recovered');
    expect(recovered).toMatchObject({ level: 'warn', unclean: true });
    const refuseUntil = Date.parse(String(recovered.refuseUntil));
    if (Date.now() < refuseUntil - 500) {
      await second.send(alice, second.knock());
      const stale = await second.waitForLog(
        (l) => l.event === 'knock.refused' && l.src === alice.ipv4 && l.reason === 'stale',
      );
      expect(stale).toBeDefined();
      expect(await probeTcp(alice, server.ipv4, PORT)).toBe('filtered');
    }
    // ...and a fresh knock made once that has passed is what opens it.
    await new Promise((r) => setTimeout(r, Math.max(0, refuseUntil - Date.now() + 50)));
    await second.send(alice, second.knock());
    expect(await waitForTcp(alice, server.ipv4, PORT, 'open', 1500)).toBe('open');
    // A clean stop this time: the next start trusts its record and raises no floor.
    await second.stop();
  });

  // How setup() treats what it finds is each driver's own (firewall-contract.ts covers both); once
  // through the real binary is enough here.
  const nftOnly = backend === 'nftables' ? it : () => {};
  nftOnly('a grant alive at the restart keeps its own end: neither revoked nor extended', async () => {
    const bob = lab.host('bob');
    const server = lab.host('server');
    const first = await start(running[0]);
    const sentAt = Date.now();
    // Long enough to outlast a restart, which takes several seconds on a busy machine.
    await first.send(bob, first.knock({ durationSeconds: LIVE_GRANT_SECONDS }));
    expect(await waitForTcp(bob, server.ipv4, PORT, 'open', 1500)).toBe('open');
    await first.kill9();
    const second = await start(first);
    expect(await probeTcp(bob, server.ipv4, PORT)).toBe('open');
    expect(await grants(second)).toContainEqual(
      expect.objectContaining({ address: bob.ipv4, client: 'alice' }),
    );
    expect(await waitForTcp(bob, server.ipv4, PORT, 'filtered', LIVE_GRANT_SECONDS * 1000 + 2000)).toBe(
      'filtered',
    );
    expect(Date.now() - sentAt).toBeLessThan(LIVE_GRANT_SECONDS * 1000 + 2500);
    await second.stop();
  });

  /** A daemon with alice and bob: the named clients get a long grant each, then it stops, leaving them in the kernel. */
  const grantedThenStopped = async (...clients: ('alice' | 'bob')[]) => {
    const [alice, bob, server] = [lab.host('alice'), lab.host('bob'), lab.host('server')];
    const options = {
      host: server,
      backend,
      services: { ssh: `tcp/${PORT}` },
      clients: [{ name: 'alice' }, { name: 'bob' }],
    };
    const first = await startServerProcess(options);
    running.push(first);
    ownDirs.push(first);
    const hosts = { alice, bob };
    for (const c of clients) {
      await first.send(hosts[c], first.knock({ durationSeconds: LONG_GRANT_SECONDS }, { client: c }));
    }
    for (const c of clients) expect(await waitForTcp(hosts[c], server.ipv4, PORT, 'open', 1500)).toBe('open');
    await first.stop();
    return { alice, bob, server, options, first };
  };

  it("after a restart, another client's close leaves a kept grant open; its owner's close shuts it", async () => {
    const { alice, bob, server, options, first } = await grantedThenStopped('alice');

    const second = await startServerProcess({ ...options, reuse: first });
    running.push(second);
    const closed = async (from: typeof bob, client: string): Promise<void> => {
      const before = second.logs().filter((l) => l.event === 'knock.closed').length;
      await second.send(from, second.knock({ kind: 'close', addresses: [alice.ipv4] }, { client }));
      await second.waitForLog(
        (l) =>
          l.event === 'knock.closed' &&
          second.logs().filter((x) => x.event === 'knock.closed').length > before,
      );
    };
    // Bob's key is valid and his close names alice's address and port: the element's comment names
    // alice only, so it stays.
    await closed(bob, 'bob');
    expect(await probeTcp(alice, server.ipv4, PORT)).toBe('open');
    expect(
      ((await grants(second)) as { address: string; client: string }[]).map((g) => [g.address, g.client]),
    ).toEqual([[alice.ipv4, 'alice']]);
    await closed(alice, 'alice');
    expect(await probeTcp(alice, server.ipv4, PORT, 400)).toBe('filtered');
    await second.stop();
  });

  it('a restart without alice in the configuration closes her port at once; bob keeps his grant, until a reload rotates his key', async () => {
    const { alice, bob, server, options, first } = await grantedThenStopped('alice', 'bob');
    // The administrator's edit while the daemon is stopped: alice is no longer a client.
    const config = JSON.parse(await readFile(first.configPath, 'utf8')) as { clients: { name: string }[] };
    config.clients = config.clients.filter((c) => c.name !== 'alice');
    await writeFile(first.configPath, JSON.stringify(config));
    // Both grants survived the stop in the kernel; the restart decides which stay.
    expect(await probeTcp(alice, server.ipv4, PORT)).toBe('open');

    const second = await startServerProcess({ ...options, reuse: first });
    running.push(second);
    // Right after `listening`: no wait for a timeout, which is minutes away.
    expect(await probeTcp(alice, server.ipv4, PORT)).toBe('filtered');
    expect(await probeTcp(bob, server.ipv4, PORT)).toBe('open');
    expect(second.logs().filter((l) => l.event === 'grant.revoked')).toEqual([
      expect.objectContaining({
        client: 'alice',
        address: alice.ipv4,
        port: `tcp/${PORT}`,
        reason: 'removed',
      }),
    ]);
    const shown = (await grants(second)) as { address: string; client: string }[];
    expect(shown.map((g) => [g.address, g.client])).toEqual([[bob.ipv4, 'bob']]);

    // The grant kept from the last run is checked again by each reload, as a grant of this run is:
    // bob's key rotated under the same name (his old key lost, say) ends what the old key opened.
    const rotated = formatPublicKey('client', generateKeyPair(nodeBackend, 'client').publicKey);
    for (const c of config.clients as { name: string; publicKey: string }[])
      if (c.name === 'bob') c.publicKey = rotated;
    await writeFile(first.configPath, JSON.stringify(config));
    const reloaded = second.waitForLog((l) => l.event === 'daemon.reloaded');
    await second.reload();
    await reloaded;
    expect(await probeTcp(bob, server.ipv4, PORT, 400)).toBe('filtered');
    expect(second.logs().filter((l) => l.event === 'grant.revoked' && l.at === 'reload')).toEqual([
      expect.objectContaining({ client: 'bob', address: bob.ipv4, port: `tcp/${PORT}`, reason: 'rotated' }),
    ]);
    expect(await grants(second)).toEqual([]);
    await second.stop();
  });
});
