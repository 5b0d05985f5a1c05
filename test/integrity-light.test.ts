/** The light integrity check (no set element fetched) misses nothing the full one repairs: a rule deleted or the protected ports flushed underneath are rebuilt at once; a grant deleted by hand stays deleted. */

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
/** Two periodic checks (every 5 s), plus slack: what a deleted grant is left alone for. */
const TWO_CHECKS_MS = 11_000;

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

  it('the protected ports flushed underneath while the check is light: rebuilt at once', async () => {
    // The earlier test's repair re-added the sets: the stream restarted, the checks went full.
    await lightAgain(Math.max(0, spa.logs().length - 1));
    const before = count('firewall.rebuilt');
    await server.exec('nft', ['flush', 'set', 'inet', TABLE, 'protected']);
    await spa.waitForLog(() => count('firewall.rebuilt') > before, 3000);
    expect(await probeTcp(outsider, server.ipv4, PORT)).toBe('filtered');
    expect(await probeTcp(client, server.ipv4, PORT)).toBe('open');
  });

  it('a grant deleted underneath is not put back (it closes, never opens); a new knock opens again', async () => {
    await lightAgain(Math.max(0, spa.logs().length - 1));
    expect(await allow4()).toContain(client.ipv4);
    const rebuilds = count('firewall.rebuilt');
    await server.exec('nft', [
      'delete',
      'element',
      'inet',
      TABLE,
      'allow4',
      `{ ${client.ipv4} . tcp . ${PORT} }`,
    ]);
    await new Promise((r) => setTimeout(r, TWO_CHECKS_MS));
    expect(await allow4()).not.toContain(client.ipv4);
    expect(await probeTcp(client, server.ipv4, PORT)).toBe('filtered');
    expect(count('firewall.rebuilt')).toBe(rebuilds);
    await spa.send(client, spa.knock());
    expect(await waitForTcp(client, server.ipv4, PORT, 'open', 3000)).toBe('open');
    expect(await probeTcp(outsider, server.ipv4, PORT)).toBe('filtered');
  });
});
