/** ssh through `spa-client agent`'s printed ProxyCommand (nc to the host's port socket: no Node, no script per connection) to a real sshd behind spa-server. */
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp } from 'spa-test-kit/lab/probe';
import { type Sshd, startSshd } from 'spa-test-kit/lab/sshd';
import { waitForOutput } from 'spa-test-kit/lab/wait-output';
import { CLIENT_BIN, type ClientHome, createClientHome } from 'spa-test-kit/processes/client-process';
import { type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SSH_PORT = 2022;

describe('ssh through spa-client agent', () => {
  let lab: Lab;
  let server: Host;
  let client: Host;
  let spa: ServerProcess;
  let sshd: Sshd;
  let alice: ClientHome;
  let dir: string;
  let socketPath: string;
  let agent: ResultPromise;
  let agentLog = '';

  beforeAll(async () => {
    lab = await createLab(['server', 'client']);
    server = lab.host('server');
    client = lab.host('client');
    dir = await mkdtemp(join(tmpdir(), 'spa-agent-e2e-'));
    sshd = await startSshd(server, join(dir, 'ssh'), SSH_PORT);
    spa = await startServerProcess({
      host: server,
      backend: 'nftables',
      services: { ssh: `tcp/${SSH_PORT}` },
      config: { defaultDuration: 3, maxDuration: 5 },
    });
    alice = await createClientHome(spa, server.ipv4);
    socketPath = join(dir, 'run', 'agent.sock');
    agent = client.exec(CLIENT_BIN, ['agent', '--socket', socketPath], {
      env: alice.env,
      extendEnv: false,
      reject: false,
    });
    agent.stderr?.on('data', (chunk: Buffer) => {
      agentLog += chunk.toString();
    });
    await waitForOutput(agent, 'stderr', 'listening on', 15_000);
  });

  afterAll(async () => {
    agent?.kill('SIGTERM');
    await agent;
    await spa?.cleanup();
    await sshd?.stop();
    await alice?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
    await lab?.destroy();
  });

  /** The ProxyCommand line `agent --print-ssh-config` prints, as ssh reads it from a config file. */
  const printedProxyCommand = async (): Promise<string> => {
    const r = await alice.run(client, ['agent', '--print-ssh-config', server.ipv4, '--socket', socketPath]);
    expect(r.exitCode, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.trim().startsWith('ProxyCommand '));
    return line!.trim().slice('ProxyCommand '.length);
  };

  it('the port is filtered before; ssh gets the banner and logs in through the agent', async () => {
    expect(await probeTcp(client, server.ipv4, SSH_PORT)).toBe('filtered');
    const proxyCommand = await printedProxyCommand();
    const r = await client.exec(
      'ssh',
      sshd.sshArgs(server.ipv4, ['echo', 'through-the-agent'], ['-o', `ProxyCommand=${proxyCommand}`]),
      { env: alice.env, extendEnv: false, reject: false, timeout: 20_000, input: '' },
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe('through-the-agent');
    await spa.waitForLog((l) => l.event === 'knock.accepted' && l.src === client.ipv4);
    expect(agentLog).not.toMatch(/refused/);
  });

  it('a remote command reading stdin gets all of it and EOF, and its exit status comes back', async () => {
    const proxyCommand = await printedProxyCommand();
    const r = await client.exec(
      'ssh',
      sshd.sshArgs(server.ipv4, ['wc', '-c', ';', 'exit', '3'], ['-o', `ProxyCommand=${proxyCommand}`]),
      { env: alice.env, extendEnv: false, reject: false, timeout: 20_000, input: 'x'.repeat(100_000) },
    );
    expect(r.exitCode, String(r.stderr)).toBe(3);
    expect(String(r.stdout).trim()).toBe('100000');
  });

  it("a port the profile's services do not name has no socket: ssh fails and nc names the path", async () => {
    const proxyCommand = await printedProxyCommand();
    const r = await client.exec(
      'ssh',
      sshd.sshArgs(server.ipv4, ['true'], ['-o', 'Port=2999', '-o', `ProxyCommand=${proxyCommand}`]),
      { env: alice.env, extendEnv: false, reject: false, timeout: 20_000, input: '' },
    );
    expect(r.exitCode).toBe(255);
    expect(String(r.stderr)).toMatch(/agent\.sock\.[0-9a-f]{12}\.2999: No such file or directory/);
  });

  it('the line protocol serves any port: `connect HOST PORT` first, through sh, printf and nc', async () => {
    // As README's generic ProxyCommand has it, for a port the agent has no socket for.
    const script = '{ printf "connect %%s %%s\\n" "$1" "$2"; exec cat; } | exec nc -N -U "$3"';
    const proxyCommand = `sh -c '${script}' spa-proxy ${server.ipv4} %p ${socketPath}`;
    const r = await client.exec(
      'ssh',
      sshd.sshArgs(server.ipv4, ['echo', 'by-the-line'], ['-o', `ProxyCommand=${proxyCommand}`]),
      { env: alice.env, extendEnv: false, reject: false, timeout: 20_000, input: '' },
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe('by-the-line');
  });

  it('a host not in the profile gets nothing back, and the agent logs one line why', async () => {
    const r = await client.exec('nc', ['-N', '-U', socketPath], {
      input: `connect 192.0.2.1 ${SSH_PORT}\n`,
      reject: false,
      timeout: 10_000,
    });
    expect(String(r.stdout)).toBe('');
    await expect
      .poll(() => agentLog, { timeout: 5000 })
      .toMatch(
        /spa-client agent: refused \(unknown-host\): 192\.0\.2\.1 port 2022: not in the profile .*config\.json\n/,
      );
  });

  it('refuses a socket directory others may enter, in one line naming it, and never listens', async () => {
    const open = join(dir, 'open');
    await mkdir(open, { recursive: true });
    await chmod(open, 0o755);
    const r = await alice.run(client, ['agent', '--socket', join(open, 'agent.sock')]);
    expect(r.exitCode).toBe(78);
    expect(r.stderr).toBe(
      `spa-client: socket directory ${open}: mode 0755 lets others in; it must be 0700 (chmod 700 ${open})\n`,
    );
  });

  it('a second agent on the same socket refuses to start; the first keeps serving', async () => {
    const r = await alice.run(client, ['agent', '--socket', socketPath]);
    expect(r.exitCode).toBe(73);
    expect(r.stderr).toMatch(/another agent is listening there/);
    expect(agent.exitCode).toBeNull();
  });
});
