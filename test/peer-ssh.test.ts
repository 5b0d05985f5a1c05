/** OpenSSH, a peer nobody here wrote, logs in through the knock: plainly after `spa-client open --wait`, and as ssh's ProxyCommand. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_BIN, type ClientHome, createClientHome } from './lib/client-process.js';
import { createLab, type Host, type Lab } from './lib/netns.js';
import { type ServerProcess, startServerProcess } from './lib/server-process.js';
import { type Sshd, startSshd } from './lib/sshd.js';

const SSH = 2222;
/** Short enough that the "cannot connect" checks take 2 s, not ssh's default minutes. */
const NO_WAIT = ['-o', 'ConnectTimeout=2'];

describe('OpenSSH through spa-server (nftables)', () => {
  let lab: Lab;
  let server: Host;
  let spa: ServerProcess;
  let sshd: Sshd;
  let sshDir: string;
  let alice: ClientHome;
  let bob: ClientHome;

  /** `ssh root@SERVER COMMAND` from `from`, with HOME set to a client home (where spa-client finds its profile). */
  const ssh = async (from: Host, home: ClientHome, command: string[], options: string[] = []) => {
    const r = await from.exec('ssh', sshd.sshArgs(server.ipv4, command, options), {
      env: home.env,
      extendEnv: false,
      reject: false,
      timeout: 20_000,
    });
    return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
  };

  beforeAll(async () => {
    // alice knocks from `client`, bob (ProxyCommand) from `laptop`: each starts with the port closed.
    lab = await createLab(['server', 'client', 'laptop', 'outsider']);
    server = lab.host('server');
    sshDir = await mkdtemp(join(tmpdir(), 'spa-sshd-e2e-'));
    sshd = await startSshd(server, sshDir, SSH);
    spa = await startServerProcess({
      host: server,
      backend: 'nftables',
      services: { ssh: `tcp/${SSH}` },
      clients: [{ name: 'alice' }, { name: 'bob' }],
      config: { defaultDuration: 20 },
    });
    alice = await createClientHome(spa, server.ipv4, 'alice');
    bob = await createClientHome(spa, server.ipv4, 'bob');
  });
  afterAll(async () => {
    await spa?.stop();
    await spa?.cleanup();
    await sshd?.stop();
    await alice?.cleanup();
    await bob?.cleanup();
    await lab?.destroy();
    if (sshDir) await rm(sshDir, { recursive: true, force: true });
  });

  it('without a knock, ssh from any host times out: sshd is unreachable, not refusing', async () => {
    const results = await Promise.all(
      ['client', 'laptop', 'outsider'].map((name) => ssh(lab.host(name), alice, ['echo', 'ok'], NO_WAIT)),
    );
    for (const r of results) {
      expect(r.exitCode).toBe(255);
      expect(r.stderr).toMatch(/Connection timed out|timed out/);
    }
  });

  it('plain: `spa-client open ssh --wait`, then ssh logs in and runs a command', async () => {
    const client = lab.host('client');
    const knock = await alice.run(client, ['open', 'ssh', '--host', server.ipv4, '--wait', '--timeout', '5']);
    expect(knock.exitCode, knock.stderr).toBe(0);
    const r = await ssh(client, alice, ['echo', 'ok']);
    expect(r, r.stderr).toMatchObject({ exitCode: 0, stdout: 'ok' });
    // A real key exchange happened: ssh recorded the server's host key on first use.
    expect(await readFile(join(sshDir, 'known_hosts'), 'utf8')).toContain('ssh-ed25519');
  });

  it('ProxyCommand: `spa-client connect --host %h --port %p` knocks, waits and carries the ssh session', async () => {
    const laptop = lab.host('laptop');
    // ssh runs ProxyCommand through /bin/sh -c: that is ssh's interface, the only string here.
    const proxy = `ProxyCommand=${CLIENT_BIN} connect --host %h --port %p --timeout 5`;
    const r = await ssh(laptop, bob, ['echo', 'proxied'], ['-o', proxy]);
    expect(r, r.stderr).toMatchObject({ exitCode: 0, stdout: 'proxied' });
    const accepted = spa.logs().filter((l) => l.event === 'knock.accepted' && l.client === 'bob');
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.every((l) => l.src === laptop.ipv4)).toBe(true);
  });

  it("after both logins the outsider's ssh still times out", async () => {
    const r = await ssh(lab.host('outsider'), alice, ['echo', 'ok'], NO_WAIT);
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(/timed out/);
  });
});
