/** OpenSSH, a peer nobody here wrote, logs in through the knock after `spa-client open --wait` (ProxyCommand: client-ssh.test.ts). */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { type Sshd, startSshd } from 'spa-test-kit/lab/sshd';
import { type ClientHome, createClientHome } from 'spa-test-kit/processes/client-process';
import { type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

  /** `ssh root@SERVER COMMAND` from `from` (no user config: sshd.sshArgs). */
  const ssh = async (from: Host, command: string[], options: string[] = []) => {
    const r = await from.exec('ssh', sshd.sshArgs(server.ipv4, command, options), {
      reject: false,
      timeout: 20_000,
    });
    return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
  };

  beforeAll(async () => {
    lab = await createLab(['server', 'client', 'outsider']);
    server = lab.host('server');
    sshDir = await mkdtemp(join(tmpdir(), 'spa-sshd-e2e-'));
    sshd = await startSshd(server, sshDir, SSH);
    spa = await startServerProcess({
      host: server,
      backend: 'nftables',
      services: { ssh: `tcp/${SSH}` },
      config: { defaultDuration: 20 },
    });
    alice = await createClientHome(spa, server.ipv4, 'alice');
  });
  afterAll(async () => {
    await spa?.stop();
    await spa?.cleanup();
    await sshd?.stop();
    await alice?.cleanup();
    await lab?.destroy();
    if (sshDir) await rm(sshDir, { recursive: true, force: true });
  });

  it('without a knock, ssh from any host times out: sshd is unreachable, not refusing', async () => {
    const results = await Promise.all(
      ['client', 'outsider'].map((name) => ssh(lab.host(name), ['echo', 'ok'], NO_WAIT)),
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
    const r = await ssh(client, ['echo', 'ok']);
    expect(r, r.stderr).toMatchObject({ exitCode: 0, stdout: 'ok' });
    // A real key exchange happened: ssh recorded the server's host key on first use.
    expect(await readFile(join(sshDir, 'known_hosts'), 'utf8')).toContain('ssh-ed25519');
  });

  it("after the client's login the outsider's ssh still times out", async () => {
    const r = await ssh(lab.host('outsider'), ['echo', 'ok'], NO_WAIT);
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(/timed out/);
  });
});
