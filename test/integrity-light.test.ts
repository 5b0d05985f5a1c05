/** The light integrity check (no set element fetched) misses nothing the full one repairs: a rule deleted underneath is rebuilt at once; a grant set flushed or an element deleted by hand, also after a repair, is granted again. */

import type { ResultPromise } from 'execa';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TCP_SERVICE = agentPath('tcp-service.mjs');
const PORT = 2222;
const TABLE = 'spa_e2e';
/**
 * The daemon checks every 5 s; the first full check that vouches begins 0.5 s after the stream
 * starts, so the first light one comes within two periods, plus slack for a loaded host.
 */
const LIGHT_WITHIN_MS = 15_000;
/** A grant loss is repaired by the first periodic check (every 5 s) 15 s after the last full one (LOSS_RECHECK_MS), plus slack. */
const GRANT_RESTORE_MS = 25_000;

describe('integrity check, light while the event stream vouches (nftables)', () => {
  let lab: Lab;
  let server: Host;
  let client: Host;
  let outsider: Host;
  let service: ResultPromise;
  let spa: ServerProcess;

  const count = (event: string) => spa.logs().filter((l) => l.event === event).length;
  /** Waits for the daemon's switch to the light check (debug log, once per change of scope). */
  const lightAgain = async (after: number) => {
    await spa.waitForLog(
      () =>
        spa
          .logs()
          .slice(after)
          .some((l) => l.event === 'firewall.check-scope' && l.scope === 'light'),
      LIGHT_WITHIN_MS,
    );
  };
  const allow4 = async () =>
    String((await server.exec('nft', ['list', 'set', 'inet', TABLE, 'allow4'])).stdout);

  beforeAll(async () => {
    lab = await createLab(['server', 'client', 'outsider']);
    server = lab.host('server');
    client = lab.host('client');
    outsider = lab.host('outsider');
    service = server.exec(process.execPath, [TCP_SERVICE, String(PORT)], { reject: false });
    spa = await startServerProcess({
      host: server,
      backend: 'nftables',
      services: { ssh: `tcp/${PORT}` },
      config: { defaultDuration: 120, log: { level: 'debug', refusalsPerSecond: 100 } },
    });
    await spa.send(client, spa.knock());
    expect(await waitForTcp(client, server.ipv4, PORT, 'open', 3000)).toBe('open');
  });
  afterAll(async () => {
    await spa?.cleanup();
    service?.kill();
    await lab?.destroy();
  });

  it('a rule deleted underneath while the check is light: rebuilt at once, the grant kept', async () => {
    await lightAgain(0);
    const listing = String(
      (await server.exec('nft', ['-a', 'list', 'chain', 'inet', TABLE, 'input'])).stdout,
    );
    // The rule that drops the protected ports for everyone else: deleting it opens them.
    const drop = listing.split('\n').findLast((line) => /\bdrop\b/.test(line) && /handle \d+$/.test(line));
    const handle = drop?.match(/handle (\d+)$/)?.[1];
    expect(handle, listing).toBeDefined();
    const before = count('firewall.rebuilt');
    await server.exec('nft', ['delete', 'rule', 'inet', TABLE, 'input', 'handle', handle!]);
    await spa.waitForLog(() => count('firewall.rebuilt') > before, 3000);
    expect(await probeTcp(outsider, server.ipv4, PORT)).toBe('filtered');
    expect(await probeTcp(client, server.ipv4, PORT)).toBe('open');
  });

  it.each([
    ['the grant set flushed', ['flush', 'set', 'inet', TABLE, 'allow4']],
    ['the grant element deleted', ['delete', 'element', 'inet', TABLE, 'allow4']],
  ])('%s underneath while the check is light: noticed, and the grant is back', async (what, args) => {
    // The earlier test's repair re-added the sets: the stream restarted, the checks went full.
    await lightAgain(Math.max(0, spa.logs().length - 1));
    expect(await allow4()).toContain(client.ipv4);
    const element = args[1] === 'element' ? [`{ ${client.ipv4} . tcp . ${PORT} }`] : [];
    const before = count('firewall.grants-lost');
    const lostAt = Date.now();
    await server.exec('nft', [...args, ...element]);
    expect(await allow4()).not.toContain(client.ipv4);
    const rebuilds = count('firewall.rebuilt');
    await spa.waitForLog(() => count('firewall.grants-lost') > before, GRANT_RESTORE_MS);
    console.log(`${what}: granted again after ${Date.now() - lostAt} ms`);
    expect(
      spa
        .logs()
        .filter((l) => l.event === 'firewall.grants-lost')
        .at(-1),
    ).toMatchObject({ count: 1 });
    expect(await allow4()).toContain(client.ipv4);
    expect(await waitForTcp(client, server.ipv4, PORT, 'open', 2000)).toBe('open');
    expect(await probeTcp(outsider, server.ipv4, PORT)).toBe('filtered');
    // The table itself was whole: the grant comes back without a rebuild.
    expect(count('firewall.rebuilt')).toBe(rebuilds);
  });
});
