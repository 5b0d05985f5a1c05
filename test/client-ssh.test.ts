/** An SSH login through `ProxyCommand spa-client connect --host %h --port %p` to a real sshd behind spa-server. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spaKeys } from 'spa-test-kit/build/spa-fixture';
import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { type Sshd, startSshd } from 'spa-test-kit/lab/sshd';
import { CLIENT_BIN, type ClientHome, createClientHome } from 'spa-test-kit/processes/client-process';
import { type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SSH_PORT = 2022;

describe('ssh through spa-client connect', () => {
  let lab: Lab;
  let server: Host;
  let client: Host;
  let spa: ServerProcess;
  let sshd: Sshd;
  let alice: ClientHome;
  let dir: string;

  beforeAll(async () => {
    lab = await createLab(['server', 'client']);
    server = lab.host('server');
    client = lab.host('client');
    dir = await mkdtemp(join(tmpdir(), 'spa-ssh-e2e-'));
    sshd = await startSshd(server, join(dir, 'ssh'), SSH_PORT);
    spa = await startServerProcess({
      host: server,
      backend: 'nftables',
      services: { ssh: `tcp/${SSH_PORT}` },
      config: { defaultDuration: 3, maxDuration: 5 },
    });
    alice = await createClientHome(spa, server.ipv4);
  });

  afterAll(async () => {
    await spa?.cleanup();
    await sshd?.stop();
    await alice?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
    await lab?.destroy();
  });

  const ssh = (proxyCommand: string, command: string[]) =>
    client.exec('ssh', sshd.sshArgs(server.ipv4, command, ['-o', `ProxyCommand=${proxyCommand}`]), {
      env: alice.env,
      extendEnv: false,
      reject: false,
      timeout: 20_000,
    });

  it('logs in and runs a remote command; the port was invisible before', async () => {
    expect(await probeTcp(client, server.ipv4, SSH_PORT)).toBe('filtered');
    const r = await ssh(`${CLIENT_BIN} connect --host %h --port %p`, [
      'echo',
      'hello-through-spa',
      '&&',
      'hostname',
    ]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).split('\n')[0]).toBe('hello-through-spa');
    // The profile's service for tcp/2022 (ssh) was asked for, and granted to the client's address.
    await spa.waitForLog((l) => l.event === 'knock.accepted' && l.src === client.ipv4);
  });

  it('a remote command that reads stdin gets all of it and EOF (half-close), and its exit status comes back', async () => {
    const r = await client.exec(
      'ssh',
      sshd.sshArgs(
        server.ipv4,
        ['wc', '-c', ';', 'exit', '3'],
        ['-o', `ProxyCommand=${CLIENT_BIN} connect --host %h --port %p`],
      ),
      { env: alice.env, extendEnv: false, reject: false, timeout: 20_000, input: 'x'.repeat(100_000) },
    );
    expect(r.exitCode).toBe(3);
    expect(String(r.stdout).trim()).toBe('100000');
  });

  it('with a wrong server key, ssh fails and spa-client says why in one line', async () => {
    const closed = await alice.run(client, ['close', 'ssh', '--host', server.ipv4]);
    expect(closed.exitCode, closed.stderr).toBe(0);
    expect(await waitForTcp(client, server.ipv4, SSH_PORT, 'filtered', 2000)).toBe('filtered');
    const other = spaKeys([]).serverKeyText;
    const r = await ssh(`${CLIENT_BIN} connect --host %h --port %p --server-key ${other} --timeout 1`, [
      'true',
    ]);
    expect(r.exitCode).toBe(255);
    expect(String(r.stderr)).toMatch(
      /spa-client: tcp\/2022 \(filtered\) on .* did not open within 1 s .* likely causes/,
    );
  });
});
