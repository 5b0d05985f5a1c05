/** The spa-server binary in a lab: run, a knock, status, SIGHUP with a broken config, SIGTERM, flush. */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { parsePublicKey } from 'spa-protocol';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { clientKeys, encodeKnock, type FixtureClient, serverJson } from 'spa-test-kit/build/spa-fixture';
import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../packages/spa-server/bin/spa-server.js', import.meta.url));
const TCP_SERVICE = agentPath('tcp-service.mjs');
const PORT = 2222;
const KNOCK_PORT = 62201;
const GRANT_SECONDS = 3;
const LONG_GRANT_SECONDS = 20;
const METRICS_PORT = 9262;
const FIRST_GRANT_SECONDS = 8;
// Sends one datagram (hex) to ADDRESS PORT from inside a namespace; arguments, never a shell.
const SEND_UDP = `const s=require('node:dgram').createSocket(process.argv[2].includes(':')?'udp6':'udp4');
s.send(Buffer.from(process.argv[1],'hex'),Number(process.argv[3]),process.argv[2],()=>s.close());`;

describe.each(['nftables', 'iptables'] as const)('spa-server CLI against %s in a lab', (backend) => {
  let lab: Lab;
  let server: Host;
  let client: Host;
  let dir: string;
  let serverPublicKey: Uint8Array;
  let alice: FixtureClient;
  let service: ResultPromise;
  const cli = (...args: string[]) => server.exec(process.execPath, [BIN, ...args], { reject: false });
  const configPath = () => join(dir, 'server.json');
  const writeConfig = async () => {
    const config = serverJson([alice], {
      listen: [`${server.ipv4}:${KNOCK_PORT}`],
      serverKeyFile: 'server.key',
      stateDir: join(dir, 'state'),
      firewall: { backend, table: 'spa_cli' },
      services: { ssh: `tcp/${PORT}` },
      extra: {
        defaultDuration: GRANT_SECONDS,
        maxDuration: LONG_GRANT_SECONDS,
        // On the lab address, so only with allowRemote (a loopback address would need nothing).
        metrics: { listen: `${server.ipv4}:${METRICS_PORT}`, allowRemote: true },
      },
    });
    await writeFile(configPath(), JSON.stringify(config));
  };
  const knock = async (durationSeconds = 0) => {
    // Signed addresses: source mode is off for this client.
    const datagram = encodeKnock(serverPublicKey, alice, { addresses: [client.ipv4], durationSeconds });
    const hex = Buffer.from(datagram).toString('hex');
    await client.exec(process.execPath, ['-e', SEND_UDP, hex, server.ipv4, String(KNOCK_PORT)]);
  };

  beforeAll(async () => {
    lab = await createLab(['server', 'client']);
    server = lab.host('server');
    client = lab.host('client');
    dir = await mkdtemp(join(tmpdir(), 'spa-server-cli-'));
    const keygen = await execa(process.execPath, [BIN, 'keygen', '--out', join(dir, 'server.key')]);
    serverPublicKey = parsePublicKey('server', keygen.stdout);
    alice = clientKeys('alice');
    await writeConfig();
    service = server.exec(process.execPath, [TCP_SERVICE, String(PORT)], { reject: false });
  });
  afterAll(async () => {
    service?.kill();
    await lab?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('status before anything ran: protection missing, no daemon, no grants, exit 3', async () => {
    const result = await cli('status', '--json', '-c', configPath());
    expect(result.exitCode).toBe(3);
    expect(JSON.parse(String(result.stdout))).toEqual({
      backend,
      table: 'spa_cli',
      protection: 'missing',
      protectedPorts: [],
      unprotectedPorts: [{ protocol: 'tcp', port: PORT }],
      daemon: { running: false },
      // No daemon answers: every grant is read from the kernel.
      grantsFrom: 'kernel',
      shapeFrom: 'kernel',
      grants: [],
    });
  });

  it('runs, shows a knock in status, survives a broken reload, stops on SIGTERM leaving grants', async () => {
    const daemon = cli('--config', configPath());
    const lines = collectLines(daemon);
    try {
      const remote = await lines.waitFor('metrics.remote');
      expect(remote).toMatchObject({ level: 'warn', listen: `${server.ipv4}:${METRICS_PORT}` });
      await lines.waitFor('daemon.listening');
      expect(await waitForTcp(client, server.ipv4, PORT, 'filtered', 3000)).toBe('filtered');
      // allowRemote means what it says: another host can scrape.
      const scrape = await client.exec(process.execPath, [
        '-e',
        'fetch(process.argv[1]).then(async (r) => console.log(r.status, (await r.text()).includes("spa_datagrams_received_total")))',
        `http://${server.ipv4}:${METRICS_PORT}/metrics`,
      ]);
      expect(String(scrape.stdout)).toBe('200 true');

      // Longer than the default: two status runs must fit in it on a loaded machine.
      await knock(FIRST_GRANT_SECONDS);
      expect(await waitForTcp(client, server.ipv4, PORT, 'open', 3000)).toBe('open');
      // Both at once: the grant lasts only GRANT_SECONDS.
      const [status, text] = await Promise.all([
        cli('status', '--json', '-c', configPath()),
        cli('status', '-c', configPath()),
      ]);
      const { grants, grantsFrom } = JSON.parse(String(status.stdout));
      expect(grantsFrom).toBe('daemon');
      expect(grants).toHaveLength(1);
      expect(grants[0]).toMatchObject({
        client: 'alice',
        address: client.ipv4,
        family: 4,
        protocol: 'tcp',
        port: PORT,
        service: 'ssh',
      });
      expect(grants[0].expiresInSeconds).toBeGreaterThanOrEqual(0);
      expect(grants[0].expiresInSeconds).toBeLessThanOrEqual(FIRST_GRANT_SECONDS);
      expect(String(text.stdout)).toMatch(
        new RegExp(`^alice\\s+${client.ipv4.replaceAll('.', '\\.')}\\s+ssh\\s+tcp/${PORT}`, 'm'),
      );

      // A typo in a reload is logged and changes nothing: the daemon keeps serving the old config.
      await writeFile(configPath(), '{ "serverKeyFile": ');
      daemon.kill('SIGHUP');
      const failed = await lines.waitFor('config.reload-failed');
      expect(failed).toMatchObject({ level: 'error', reason: 'CONFIG_INVALID' });
      expect(failed.problems).toEqual([
        `${configPath()}:1:20: invalid JSON: unexpected end of input: a value is missing`,
      ]);
      await writeConfig();

      // The grant ends in the kernel; a new knock after the failed reload still works.
      expect(await waitForTcp(client, server.ipv4, PORT, 'filtered', (FIRST_GRANT_SECONDS + 3) * 1000)).toBe(
        'filtered',
      );
      await knock(LONG_GRANT_SECONDS);
      expect(await waitForTcp(client, server.ipv4, PORT, 'open', 3000)).toBe('open');

      daemon.kill('SIGTERM');
      const exit = await daemon;
      expect(exit.exitCode).toBe(0);
      // Stopping the daemon neither opens nor closes anything: the grant is still in the kernel.
      expect(await probeTcp(client, server.ipv4, PORT)).toBe('open');
      const after = await cli('status', '--json', '-c', configPath());
      expect(JSON.parse(String(after.stdout)).grants).toHaveLength(1);
    } finally {
      daemon.kill('SIGKILL');
    }
  });

  it('flush removes everything the server installed', async () => {
    const result = await cli('flush', '-c', configPath());
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toBe(`flushed: ${backend} state of "spa_cli" removed`);
    const status = await cli('status', '--json', '-c', configPath());
    expect(status.exitCode).toBe(3);
    expect(JSON.parse(String(status.stdout))).toMatchObject({ protection: 'missing', grants: [] });
    // No table, no drop rule: the port answers everyone again.
    expect(await probeTcp(client, server.ipv4, PORT)).toBe('open');
    if (backend === 'nftables') {
      const tables = await server.exec('nft', ['list', 'tables']);
      expect(String(tables.stdout)).not.toContain('spa_cli');
    } else {
      const sets = await server.exec('ipset', ['list', '-n']);
      expect(String(sets.stdout)).not.toContain('spa_cli');
    }
  });
});

/** The daemon's stdout as JSON lines, with a way to wait for an event. */
function collectLines(child: ResultPromise) {
  const seen: Record<string, unknown>[] = [];
  const waiters: { event: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      const line = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
      buffer = buffer.slice(nl + 1);
      seen.push(line);
      for (const w of waiters.filter((w) => w.event === line.event)) w.resolve(line);
    }
  });
  return {
    waitFor(event: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
      const found = seen.find((l) => l.event === event);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${event} within ${timeoutMs} ms: ${JSON.stringify(seen)}`)),
          timeoutMs,
        );
        waiters.push({
          event,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}
