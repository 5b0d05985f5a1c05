/** Least privilege: the daemon as an unprivileged user with only CAP_NET_ADMIN, and private keys readable by others refused by both CLIs. */

import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { runServerOnce, writeServerFiles } from 'spa-test-kit/build/server-files';
import { waitForTcp } from 'spa-test-kit/lab/probe';
import { CLIENT_BIN, directOpenArgs } from 'spa-test-kit/processes/client-process';
import { SERVER_BIN, startServerProcess } from 'spa-test-kit/processes/server-process';
import { useLabScenario } from 'spa-test-kit/scenarios/lab-scenario';
import { describe, expect, it } from 'vitest';

const PORT = 2222;
const USER = 'spa-test';
const CAP_NET_ADMIN = 1n << 12n;

/** Creates the system user the daemon runs as, once per machine (as a package's postinst would). */
async function ensureUser(): Promise<{ uid: number; gid: number }> {
  if ((await execa('id', ['-u', USER], { reject: false })).exitCode !== 0) {
    await execa('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
  }
  const uid = Number((await execa('id', ['-u', USER])).stdout);
  const gid = Number((await execa('id', ['-g', USER])).stdout);
  return { uid, gid };
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await execa('chown', ['-R', `${uid}:${gid}`, path]);
}

describe('least privilege', () => {
  const env = useLabScenario({ hosts: ['server', 'alice'], tcpServices: [PORT] });

  it('runs as an unprivileged user with CAP_NET_ADMIN and nothing else, and a knock opens the port', async () => {
    const { uid, gid } = await ensureUser();
    // Lay the files out as root, then hand them (keys 0600, stateDir) to the daemon's user.
    const setup = await startServerProcess({
      host: env.server,
      backend: 'nftables',
      services: { ssh: `tcp/${PORT}` },
    });
    await setup.stop();
    await env.server.exec(SERVER_BIN, ['flush', '--config', setup.configPath]);
    await chownTree(setup.dir, uid, gid);
    const proc = await startServerProcess({
      host: env.server,
      backend: 'nftables',
      reuse: setup,
      wrapper: [
        'setpriv',
        `--reuid=${USER}`,
        `--regid=${USER}`,
        '--init-groups',
        '--inh-caps=-all,+net_admin',
        '--ambient-caps=-all,+net_admin',
        '--bounding-set=-all,+net_admin',
        '--',
      ],
    });
    try {
      const status = await readFile(`/proc/${proc.pid}/status`, 'utf8');
      expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe(String(uid));
      for (const set of ['CapEff', 'CapPrm', 'CapBnd']) {
        const hex = new RegExp(`^${set}:\\s+([0-9a-f]+)`, 'm').exec(status)?.[1];
        expect(BigInt(`0x${hex}`), set).toBe(CAP_NET_ADMIN);
      }
      const alice = env.lab.host('alice');
      await proc.send(alice, proc.knock());
      expect(await waitForTcp(alice, env.server.ipv4, PORT, 'open')).toBe('open');
      expect((await stat(join(proc.stateDir, 'replay.bin'))).uid).toBe(uid);
    } finally {
      await proc.cleanup();
    }
  });

  it('both CLIs refuse a private key that group or others can read', async () => {
    const files = await writeServerFiles({ host: env.server, services: { ssh: `tcp/${PORT}` } });
    try {
      await chmod(files.serverKeyFile, 0o640);
      const run = await runServerOnce(env.server, files.configPath);
      expect(run.exitCode).toBe(78);
      expect(run.stderr.trim()).toBe(
        `serverKeyFile: key file ${files.serverKeyFile} is accessible by group or others (mode 640): run chmod 600 ${files.serverKeyFile}`,
      );

      const alice = files.clients[0]!;
      const open = (keyFile: string) =>
        env.lab
          .host('alice')
          .exec(
            CLIENT_BIN,
            directOpenArgs(
              { host: env.server.ipv4, serverKey: files.serverPublicKey, keyFile },
              PORT,
              '--dry-run',
            ),
            { reject: false },
          );
      expect((await open(alice.keyFile)).exitCode).toBe(0); // the same key, 0600
      await chmod(alice.keyFile, 0o604);
      const refused = await open(alice.keyFile);
      expect(refused.exitCode).toBe(65);
      expect(String(refused.stderr).trim()).toBe(
        `spa-client: key file ${alice.keyFile} is accessible by group or others (mode 604): run chmod 600 ${alice.keyFile}`,
      );
    } finally {
      await files.remove();
    }
  });
});
