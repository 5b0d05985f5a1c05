/** State faults against the real binary: a stateDir it cannot write or others could, and a replay file cut short or overwritten while it was down. */

import { chmod, mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { runServerOnce, type ServerFiles, writeServerFiles } from 'spa-test-kit/build/server-files';
import { inPrivateMounts } from 'spa-test-kit/lab/private-mounts';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { useLabScenario } from 'spa-test-kit/scenarios/lab-scenario';
import { describe, expect, it } from 'vitest';

const PORT = 2222;

describe('state faults', () => {
  const env = useLabScenario({ hosts: ['server', 'alice'], tcpServices: [PORT] });

  // Root ignores permission bits, so "not writable" has to be made some other way.
  const unwritable: [string, (files: ServerFiles) => Promise<string[]>, RegExp][] = [
    [
      'a regular file in its place',
      async (files) => {
        await writeFile(files.stateDir, 'not a directory\n');
        return [];
      },
      /^spa-server: stateDir \S+\/state cannot be created: /,
    ],
    [
      'under /proc, where mkdir fails with ENOENT though the parent exists',
      async (files) => {
        await files.writeConfig({ stateDir: '/proc/spa-e2e/state' });
        return [];
      },
      /^spa-server: stateDir \/proc\/spa-e2e\/state cannot be created: no such file or directory$/,
    ],
    [
      'immutable (chattr +i)',
      async (files) => {
        await mkdir(files.stateDir, { mode: 0o700 });
        await execa('chattr', ['+i', files.stateDir]);
        return [];
      },
      /^spa-server: replay state \S+\/state\/replay\.bin cannot be written: permission denied$/,
    ],
    [
      'on a read-only mount',
      async (files) => {
        await mkdir(files.stateDir, { mode: 0o700 });
        return inPrivateMounts('--ro', files.stateDir);
      },
      /^spa-server: replay state \S+\/state\/replay\.bin cannot be written: read-only file system$/,
    ],
  ];

  it.each(unwritable)(
    'stateDir %s: one line, exit 1, and the firewall is never touched',
    async (_name, prepare, message) => {
      const files = await writeServerFiles({ host: env.server });
      try {
        const wrapper = await prepare(files);
        const run = await runServerOnce(env.server, files.configPath, wrapper);
        expect(run.timedOut).toBe(false);
        expect(run.exitCode).toBe(1);
        expect(run.stderr.trim().split('\n')).toHaveLength(1);
        expect(run.stderr.trim()).toMatch(message);
        expect(String((await env.server.exec('nft', ['list', 'tables'])).stdout)).toBe('');
        expect(await probeTcp(env.lab.host('alice'), env.server.ipv4, PORT)).toBe('open');
      } finally {
        await execa('chattr', ['-i', files.stateDir], { reject: false });
        await files.remove();
      }
    },
  );

  it('a stateDir others may write: one line naming it and the fix, exit 78, and the firewall is never touched', async () => {
    const files = await writeServerFiles({ host: env.server });
    try {
      await mkdir(files.stateDir, { mode: 0o700 });
      await chmod(files.stateDir, 0o770);
      const run = await runServerOnce(env.server, files.configPath);
      expect(run.timedOut).toBe(false);
      expect(run.exitCode).toBe(78);
      expect(run.stderr.trim()).toBe(
        `stateDir: ${files.stateDir}: is writable by group or others (chmod 700)`,
      );
      expect(String((await env.server.exec('nft', ['list', 'tables'])).stdout)).toBe('');
      expect(await probeTcp(env.lab.host('alice'), env.server.ipv4, PORT)).toBe('open');
    } finally {
      await files.remove();
    }
  });

  it('a replay file torn, overwritten or emptied while the server was down: it recovers, and the knock it had accepted stays refused', async () => {
    // Four restarts must fit inside the window; each takes over a second on a busy machine.
    const WINDOW_SECONDS = 12;
    const alice = env.lab.host('alice');
    let proc: ServerProcess = await startServerProcess({
      host: env.server,
      backend: 'nftables',
      services: { ssh: `tcp/${PORT}` },
      config: { timestampWindow: WINDOW_SECONDS, defaultDuration: 1 },
    });
    try {
      const knock = proc.knock();
      const sentAt = Date.now();
      await proc.send(alice, knock);
      await proc.waitForLog((l) => l.event === 'knock.accepted');
      const file = join(proc.stateDir, 'replay.bin');

      const damage: [string, () => Promise<void>][] = [
        ['torn last record', async () => truncate(file, (await readFile(file)).length - 7)],
        [
          'overwritten header',
          async () => {
            const bytes = await readFile(file);
            bytes.fill(0x41, 0, 20);
            await writeFile(file, bytes);
          },
        ],
        ['random bytes', () => writeFile(file, crypto.getRandomValues(new Uint8Array(500)))],
        ['empty', () => writeFile(file, '')],
      ];
      let damagedAt = 0;
      for (const [name, corrupt] of damage) {
        await proc.kill9();
        await corrupt();
        damagedAt = Date.now();
        proc = await startServerProcess({ host: env.server, backend: 'nftables', reuse: proc });
        const recovered = await proc.waitForLog((l) => l.event === 'replay.recovered');
        expect(recovered, name).toMatchObject({ level: 'warn' });
        // Still inside the time window: only the replay store can refuse it now.
        expect(Date.now() - sentAt, name).toBeLessThan((WINDOW_SECONDS - 1) * 1000);
        await proc.send(alice, knock);
        const refused = await proc.waitForLog((l) => l.event === 'knock.refused' && l.src === alice.ipv4);
        expect(refused.reason, name).toBe('stale');
        expect(
          proc.logs().some((l) => l.event === 'knock.accepted'),
          name,
        ).toBe(false);
      }

      // The server cannot know what the damaged file held, so it refuses every knock dated up to one
      // window after the file was last written; after that, fresh knocks are accepted again.
      await new Promise((r) => setTimeout(r, damagedAt + WINDOW_SECONDS * 1000 + 1000 - Date.now()));
      expect(await probeTcp(alice, env.server.ipv4, PORT)).toBe('filtered');
      await proc.send(alice, proc.knock());
      expect(await waitForTcp(alice, env.server.ipv4, PORT, 'open', 1500)).toBe('open');
    } finally {
      await proc.cleanup();
    }
  });
});
