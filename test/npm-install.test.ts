/** The npm tarballs installed the way a user installs them (npm install -g, clean prefix, no registry), then used: keys, check, a knock. */

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp } from 'spa-test-kit/lab/probe';
import { directOpenArgs } from 'spa-test-kit/processes/client-process';
import { startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILD_NPM = join(ROOT, 'scripts', 'build-npm.mjs');
const TCP_SERVICE = agentPath('tcp-service.mjs');
const VERSION = JSON.parse(await readFile(join(ROOT, 'packages/spa-client/package.json'), 'utf8')).version;
const PORT = 2222;

describe('npm tarballs, installed with npm install -g into a clean prefix', () => {
  let work: string;
  let prefix: string;
  let tarballs: string[];
  /** Only the prefix's bin and Node's own directory: no workspace node_modules/.bin, no pnpm. */
  let env: Record<string, string>;
  const run = (command: string, args: readonly string[]) =>
    execa(command, args, { env, extendEnv: false, reject: false, cwd: work });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'spa-npm-'));
    prefix = join(work, 'prefix');
    // The CLIs are bundled by the global setup; this packs what a release would.
    const built = await execa(process.execPath, [BUILD_NPM, join(work, 'tarballs'), '--no-build']);
    tarballs = built.stdout.split('\n').map((line) => line.split('\t')[0]!);
    env = {
      PATH: [join(prefix, 'bin'), dirname(process.execPath), '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(
        ':',
      ),
      HOME: join(work, 'home'),
      // An empty cache and --offline: the install succeeds only if nothing has to come from a registry.
      npm_config_cache: join(work, 'npm-cache'),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    };
    const install = await run('npm', ['install', '--global', '--offline', '--prefix', prefix, ...tarballs]);
    expect(install.exitCode, install.stderr).toBe(0);
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('packs two scoped packages with no dependencies and nothing that names the workspace', async () => {
    expect(tarballs.map((t) => t.split('/').at(-1))).toEqual([
      `spa-suite-server-${VERSION}.tgz`,
      `spa-suite-client-${VERSION}.tgz`,
    ]);
    for (const [name, bin] of [
      ['@spa-suite/server', 'spa-server'],
      ['@spa-suite/client', 'spa-client'],
    ] as const) {
      const manifest = JSON.parse(
        await readFile(join(prefix, 'lib/node_modules', name, 'package.json'), 'utf8'),
      );
      expect(manifest.dependencies).toBeUndefined();
      expect(Object.keys(manifest.bin)).toEqual([bin]);
      expect(JSON.stringify(manifest)).not.toContain('workspace');
    }
    // Nothing else landed in the prefix: no dependency was fetched.
    const { stdout } = await run('npm', ['ls', '--global', '--prefix', prefix, '--all', '--parseable']);
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('runs spa-client --version and spa-server --version from PATH', async () => {
    const client = await run('spa-client', ['--version']);
    expect(client.stdout).toBe(`spa-client ${VERSION}`);
    const server = await run('spa-server', ['--version']);
    expect(server.stdout).toBe(VERSION);
    for (const command of ['spa-client', 'spa-server']) {
      expect((await run('sh', ['-c', `command -v ${command}`])).stdout).toBe(join(prefix, 'bin', command));
    }
  });

  it('makes keys with both CLIs, and spa-server check accepts a config built from them', async () => {
    await mkdir(join(work, 'etc'), { mode: 0o700 });
    const serverKey = await run('spa-server', ['keygen', '--out', join(work, 'etc/server.key')]);
    expect(serverKey.exitCode, serverKey.stderr).toBe(0);
    expect(serverKey.stdout).toMatch(/spa-x25519:/);
    const clientKey = await run('spa-client', ['keygen', '--out', join(work, 'alice.key')]);
    expect(clientKey.exitCode, clientKey.stderr).toBe(0);
    expect(clientKey.stdout).toMatch(/^spa-ed25519:\S+$/);
    const config = {
      listen: ['127.0.0.1:62201'],
      serverKeyFile: 'server.key',
      stateDir: join(work, 'state'),
      firewall: { backend: 'nftables', table: 'spa_npm' },
      services: { ssh: `tcp/${PORT}` },
      clients: [{ name: 'alice', publicKey: clientKey.stdout.trim(), services: ['ssh'] }],
    };
    await writeFile(join(work, 'etc/server.json'), JSON.stringify(config));
    const check = await run('spa-server', ['check', '--config', join(work, 'etc/server.json')]);
    expect(check.exitCode, `${check.stdout}\n${check.stderr}`).toBe(0);
    const broken = await run('spa-server', ['check', '--config', join(work, 'missing.json')]);
    expect(broken.exitCode).not.toBe(0);
  });

  describe('in a lab', () => {
    let lab: Lab;
    let server: Host;
    let client: Host;

    beforeAll(async () => {
      lab = await createLab(['server', 'client']);
      server = lab.host('server');
      client = lab.host('client');
    });
    afterAll(async () => {
      await lab?.destroy();
    });

    it('the installed spa-client opens a port of the installed spa-server', async () => {
      const spa = await startServerProcess({
        host: server,
        backend: 'nftables',
        bin: join(prefix, 'bin/spa-server'),
        services: { ssh: `tcp/${PORT}` },
      });
      const service = server.exec(process.execPath, [TCP_SERVICE, String(PORT)], { reject: false });
      try {
        await spa.waitForLog((l) => l.event === 'daemon.listening');
        expect(await probeTcp(client, server.ipv4, PORT)).toBe('filtered');
        const knock = await client.exec(
          join(prefix, 'bin/spa-client'),
          directOpenArgs(
            { host: server.ipv4, serverKey: spa.serverPublicKey, keyFile: spa.clients[0]!.keyFile },
            PORT,
            '--wait',
          ),
          { reject: false, env, extendEnv: false },
        );
        expect(knock.exitCode, String(knock.stderr)).toBe(0);
        expect(await probeTcp(client, server.ipv4, PORT)).toBe('open');
      } finally {
        service.kill();
        await spa.stop();
        await spa.cleanup();
      }
    });
  });
});
