/**
 * The .debs on this machine's real root filesystem: dpkg -i, a client added, check, reinstall keeps
 * the edit, dpkg -r, dpkg -P leaves nothing. Refuses to start if anything of spa is already installed,
 * and purges in afterAll whatever happens. Nothing here starts the daemon or touches the firewall.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ARTIFACTS, ensureArtifacts } from 'spa-test-kit/build/artifacts';
import { clientKeys, clientKeyText } from 'spa-test-kit/build/spa-fixture';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const UNIT = '/lib/systemd/system/spa-server.service';
const LEFTOVERS = ['/usr/bin/spa-server', '/usr/bin/spa-client', '/etc/spa', '/var/lib/spa', UNIT];

/** dpkg-query's -f option for one field (its own ${...} syntax, not a template). */
const field = (name: string): string => `-f=\${${name}}`;
const run = (file: string, args: readonly string[]) => execa(file, args, { reject: false, all: true });
const installed = async (pkg: string): Promise<boolean> =>
  (await run('dpkg-query', ['-W', field('db:Status-Status'), pkg])).stdout === 'installed';
const hasUser = async (name: string): Promise<boolean> =>
  (await run('getent', ['passwd', name])).exitCode === 0;
const hasGroup = async (name: string): Promise<boolean> =>
  (await run('getent', ['group', name])).exitCode === 0;

describe('Debian packages (dpkg on this machine)', () => {
  let dir: string;
  let ours = false;

  beforeAll(async () => {
    await ensureArtifacts();
    // Never clobber a real installation: this test owns these names only if nobody else does.
    for (const pkg of ['spa-server', 'spa-client']) {
      const status = (await run('dpkg-query', ['-W', field('db:Status-Abbrev'), pkg])).stdout.trim();
      if (status !== '' && status !== 'un') throw new Error(`${pkg} is already known to dpkg (${status})`);
    }
    if (await hasUser('spa')) throw new Error('a user named spa exists already');
    for (const path of LEFTOVERS) if (existsSync(path)) throw new Error(`${path} exists already`);
    ours = true;
    dir = await mkdtemp(join(tmpdir(), 'spa-deb-'));
  }, 900_000);

  afterAll(async () => {
    if (ours) {
      // Whatever failed above, leave the machine as it was.
      await run('dpkg', ['--purge', 'spa-server', 'spa-client']);
      for (const path of LEFTOVERS) await rm(path, { recursive: true, force: true });
      if (await hasUser('spa')) await run('deluser', ['--system', '--quiet', 'spa']);
      if (await hasGroup('spa')) await run('delgroup', ['--system', '--quiet', 'spa']);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('dpkg -i installs the binary, the unit, the conffile, the spa user, its state directory and a 0600 key', async () => {
    const r = await run('dpkg', ['-i', ARTIFACTS.serverDeb]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toMatch(
      /spa-server: created \/etc\/spa\/server\.key; give clients its public key: spa-x25519:/,
    );
    expect(await installed('spa-server')).toBe(true);
    expect(statSync('/usr/bin/spa-server').mode & 0o7777).toBe(0o755);
    expect(existsSync(UNIT)).toBe(true);
    const conffiles = (await run('dpkg-query', ['-W', field('Conffiles'), 'spa-server'])).stdout;
    expect(conffiles).toMatch(/^ \/etc\/spa\/server\.json [0-9a-f]{32}$/m);

    const passwd = (await run('getent', ['passwd', 'spa'])).stdout.split(':');
    expect(Number(passwd[2])).toBeLessThan(1000); // a system user
    expect(passwd[6]).toBe('/usr/sbin/nologin');
    const uid = Number(passwd[2]);
    const key = statSync('/etc/spa/server.key');
    expect([key.mode & 0o777, key.uid]).toEqual([0o600, uid]);
    const state = statSync('/var/lib/spa');
    expect([state.isDirectory(), state.mode & 0o777, state.uid]).toEqual([true, 0o700, uid]);
    const etc = statSync('/etc/spa');
    expect([etc.mode & 0o777, etc.uid]).toEqual([0o750, 0]);
  });

  it('with a client added, `spa-server check` passes on the installed example (as root and as spa)', async () => {
    const alice = clientKeys('alice');
    const config = JSON.parse(await readFile('/etc/spa/server.json', 'utf8')) as Record<string, unknown>;
    config.clients = [{ name: 'alice', publicKey: clientKeyText(alice), services: ['ssh'] }];
    await writeFile('/etc/spa/server.json', `${JSON.stringify(config, null, 2)}\n`);
    const asRoot = await run('/usr/bin/spa-server', ['check', '--config', '/etc/spa/server.json']);
    expect(asRoot.exitCode, asRoot.all).toBe(0);
    const asSpa = await run('runuser', [
      '-u',
      'spa',
      '--',
      '/usr/bin/spa-server',
      'check',
      '--config',
      '/etc/spa/server.json',
    ]);
    expect(asSpa.exitCode, asSpa.all).toBe(0);
  });

  it('the unit passes systemd-analyze verify', async () => {
    const r = await run('systemd-analyze', ['verify', UNIT]);
    // Without a running systemd, verify still parses the unit and checks ExecStart= exists.
    expect(r.all).not.toMatch(/spa-server\.service:\d+:|Unknown key|Failed to/i);
    expect(r.exitCode, r.all).toBe(0);
  });

  it('reinstalling (an upgrade) keeps the edited conffile and the key', async () => {
    const before = await readFile('/etc/spa/server.json', 'utf8');
    const keyBefore = await readFile('/etc/spa/server.key', 'utf8');
    const r = await run('dpkg', ['-i', '--force-confold', ARTIFACTS.serverDeb]);
    expect(r.exitCode, r.all).toBe(0);
    expect(await readFile('/etc/spa/server.json', 'utf8')).toBe(before);
    expect(await readFile('/etc/spa/server.key', 'utf8')).toBe(keyBefore);
    expect(r.all).not.toMatch(/created \/etc\/spa\/server\.key/);
  });

  it('dpkg -r removes the binary and keeps the configuration, key and user', async () => {
    const r = await run('dpkg', ['-r', 'spa-server']);
    expect(r.exitCode, r.all).toBe(0);
    expect(existsSync('/usr/bin/spa-server')).toBe(false);
    expect(existsSync(UNIT)).toBe(false);
    expect(existsSync('/etc/spa/server.json')).toBe(true);
    expect(existsSync('/etc/spa/server.key')).toBe(true);
    expect(await hasUser('spa')).toBe(true);
  });

  it('dpkg -P leaves nothing behind: no files, no directories, no user or group', async () => {
    const r = await run('dpkg', ['-P', 'spa-server']);
    expect(r.exitCode, r.all).toBe(0);
    for (const path of LEFTOVERS) expect(existsSync(path), path).toBe(false);
    expect(await hasUser('spa')).toBe(false);
    expect(await hasGroup('spa')).toBe(false);
    expect((await run('dpkg-query', ['-W', 'spa-server'])).exitCode).not.toBe(0);
  });

  it('the spa-client .deb installs a working /usr/bin/spa-client and purges cleanly', async () => {
    const r = await run('dpkg', ['-i', ARTIFACTS.clientDeb]);
    expect(r.exitCode, r.all).toBe(0);
    const version = await run('/usr/bin/spa-client', ['--version']);
    expect(version.stdout.trim()).toBe('spa-client 0.1.0');
    expect((await run('dpkg', ['-P', 'spa-client'])).exitCode).toBe(0);
    expect(existsSync('/usr/bin/spa-client')).toBe(false);
  });
});
