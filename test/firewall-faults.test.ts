/** Firewall faults against the real binary and kernel: the tool missing at start, the table deleted underneath, a grant the kernel refuses. */

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runServerOnce, writeServerFiles } from 'spa-test-kit/build/server-files';
import { inPrivateMounts } from 'spa-test-kit/lab/private-mounts';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { SERVER_BIN, type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { useLabScenario } from 'spa-test-kit/scenarios/lab-scenario';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PORT = 2222;
const TABLE = 'spa_e2e';

/** A private mount namespace in which `path` is /dev/null: the tool is simply not there. */
const hiding = (path: string): string[] => inPrivateMounts('--hide', path);

describe('firewall faults', () => {
  const env = useLabScenario({ hosts: ['server', 'alice', 'bob'], tcpServices: [PORT] });

  it.each([
    [
      'nftables',
      '/usr/sbin/nft',
      'spa-server: firewall: setup failed: nft not found in PATH or /usr/local/sbin, /usr/sbin, /sbin: install the nftables package',
    ],
    [
      'iptables',
      '/usr/sbin/ipset',
      'spa-server: firewall: setup failed: ipset not found in PATH or /usr/local/sbin, /usr/sbin, /sbin: install the ipset package',
    ],
  ] as const)(
    '%s: the tool missing at start is one clear line and exit 1, and nothing is installed',
    async (backend, tool, message) => {
      const files = await writeServerFiles({ host: env.server, backend });
      try {
        const run = await runServerOnce(env.server, files.configPath, hiding(tool));
        expect(run.timedOut).toBe(false);
        expect(run.exitCode).toBe(1);
        expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
        expect(run.stderr.trim()).toBe(message);
        expect(run.stdout).not.toContain('daemon.listening');
        // Nothing half-installed: no table, no chain, no set; the port answers as before.
        expect(String((await env.server.exec('nft', ['list', 'ruleset'])).stdout)).not.toMatch(/spa_e2e|SPA/);
        expect(String((await env.server.exec('ipset', ['list', '-n'])).stdout)).toBe('');
        expect(await probeTcp(env.lab.host('alice'), env.server.ipv4, PORT)).toBe('open');
      } finally {
        await files.remove();
      }
    },
  );

  describe('while running (nftables)', () => {
    let daemon: ServerProcess;
    beforeAll(async () => {
      daemon = await startServerProcess({
        host: env.server,
        backend: 'nftables',
        services: { ssh: `tcp/${PORT}` },
        clients: [{ name: 'alice' }, { name: 'bob' }],
        config: { defaultDuration: 60 },
      });
    });
    afterAll(async () => {
      await daemon?.cleanup();
    });
    // What the firewall holds (--kernel): these tests flush sets by hand, which the daemon's ledger,
    // status's default source of grants, does not see.
    const status = async () => {
      const { stdout } = await env.server.exec(SERVER_BIN, [
        'status',
        '--json',
        '--kernel',
        '--config',
        daemon.configPath,
      ]);
      return (JSON.parse(String(stdout)) as { grants: { client: string; address: string }[] }).grants;
    };

    it('the table deleted underneath: rebuilt within the integrity period, the live grant restored, new knocks work', async () => {
      const alice = env.lab.host('alice');
      const bob = env.lab.host('bob');
      await daemon.send(alice, daemon.knock());
      expect(await waitForTcp(alice, env.server.ipv4, PORT, 'open')).toBe('open');
      expect(await probeTcp(bob, env.server.ipv4, PORT)).toBe('filtered');

      await env.server.exec('nft', ['delete', 'table', 'inet', TABLE]);
      const rebuilt = await daemon.waitForLog((l) => l.event === 'firewall.rebuilt', 8000);
      expect(rebuilt).toMatchObject({ level: 'warn', count: 1 });
      expect(daemon.logs().some((l) => l.event === 'firewall.missing')).toBe(true);

      // The port is protected again, and alice's grant (made before the deletion) works again.
      expect(await probeTcp(bob, env.server.ipv4, PORT)).toBe('filtered');
      expect(await probeTcp(alice, env.server.ipv4, PORT)).toBe('open');
      expect((await status()).map((g) => `${g.client}@${g.address}`)).toEqual([`alice@${alice.ipv4}`]);

      await daemon.send(bob, daemon.knock({}, { client: 'bob' }));
      expect(await waitForTcp(bob, env.server.ipv4, PORT, 'open')).toBe('open');
    });

    it('a grant the kernel refuses (its set full): logged as firewall-failed, never as granted; the daemon carries on', async () => {
      const alice = env.lab.host('alice');
      await env.server.exec('nft', ['flush', 'set', 'inet', TABLE, 'allow4']);
      expect(await waitForTcp(alice, env.server.ipv4, PORT, 'filtered')).toBe('filtered');
      // 65,536 elements: the set's size, so the kernel has no room for one more.
      const fill = join(daemon.dir, 'fill.nft');
      const elements = Array.from(
        { length: 65_536 },
        (_, i) => `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255} . tcp . 9 timeout 300s`,
      );
      await writeFile(fill, `add element inet ${TABLE} allow4 { ${elements.join(', ')} }\n`);
      await env.server.exec('nft', ['-f', fill]);

      await daemon.send(alice, daemon.knock());
      const refused = await daemon.waitForLog(
        (l) => l.event === 'knock.refused' && l.reason === 'firewall-failed',
        5000,
      );
      expect(refused).toMatchObject({ level: 'error', client: 'alice', src: alice.ipv4 });
      expect(String(refused.error)).not.toBe('');
      expect(await probeTcp(alice, env.server.ipv4, PORT)).toBe('filtered');
      expect((await status()).filter((g) => g.client === 'alice')).toEqual([]);
      expect(daemon.logs().filter((l) => l.event === 'knock.accepted' && l.src === alice.ipv4)).toHaveLength(
        1,
      ); // the first test's only

      // Room again: the same daemon grants the next knock.
      await env.server.exec('nft', ['flush', 'set', 'inet', TABLE, 'allow4']);
      await daemon.send(alice, daemon.knock());
      expect(await waitForTcp(alice, env.server.ipv4, PORT, 'open')).toBe('open');
    });
  });
});
