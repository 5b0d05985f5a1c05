import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseClientProfile } from 'spa-config/client-profile';
import { clientKeys, clientKeyText } from 'spa-test-kit/build/spa-fixture';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The bundled binary, built by the test kit's global set-up: what users run.
const BIN = join(import.meta.dirname, '..', 'bin', 'spa-server.js');
const spaServer = (...args: string[]) => execa('node', [BIN, ...args], { reject: false, cwd: dir });

const ALICE = clientKeyText(clientKeys('alice'));
const BOB = clientKeyText(clientKeys('bob'));
let dir: string;
let serverKey: string;

const config = {
  serverKeyFile: 'server.key',
  services: { ssh: 'tcp/22', web: ['tcp/80', 'tcp/443'] },
  clients: [
    { name: 'alice', publicKey: ALICE, services: ['ssh', 'web'], allowSourceAddress: true },
    { name: 'bob', publicKey: BOB, services: ['ssh'], maxDuration: 600 },
  ],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spa-cli-'));
  const result = await spaServer('keygen', '--out', 'server.key');
  serverKey = result.stdout;
  await writeFile(join(dir, 'server.json'), JSON.stringify(config));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('spa-server --help and --version', () => {
  it('prints help with examples and exit codes', async () => {
    const result = await spaServer('--help');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).toContain(
      'Exit codes: 0 ok, 1 failure, 3 protection missing or incomplete (status), 64 usage error, 78 configuration error.',
    );
  });

  it.each(['run', 'check', 'status', 'flush', 'client-config', 'keygen'])(
    '%s --help shows examples',
    async (cmd) => {
      const result = await spaServer(cmd, '--help');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`Usage: spa-server ${cmd}`));
      expect(result.stdout).toContain('Examples:\n  $ ');
    },
  );

  it('prints the package version', async () => {
    const { version } = JSON.parse(await readFile(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
    const result = await spaServer('--version');
    expect([result.exitCode, result.stdout]).toEqual([0, version]);
  });
});

describe('spa-server keygen', () => {
  it('writes a 0600 key and prints only the public key', async () => {
    expect(serverKey).toMatch(/^spa-x25519:[A-Za-z0-9_-]{43}$/);
    expect((await stat(join(dir, 'server.key'))).mode & 0o777).toBe(0o600);
  });

  it('refuses to overwrite a key (exit 1), leaving it as it was', async () => {
    const before = await readFile(join(dir, 'server.key'), 'utf8');
    const result = await spaServer('keygen', '--out', 'server.key');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^spa-server: cannot create server\.key: file exists/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await readFile(join(dir, 'server.key'), 'utf8')).toBe(before);
  });

  it('needs --out (exit 64)', async () => {
    const result = await spaServer('keygen');
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain("--out <file>' not specified");
  });
});

describe('spa-server check', () => {
  it('summarises a valid config (exit 0)', async () => {
    const result = await spaServer('check', '--config', 'server.json');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('ok: 2 clients, 2 services, ports tcp/22, tcp/80, tcp/443');
  });

  it('warns about keys that have expired, still exiting 0', async () => {
    const expired = { ...config, clients: [{ ...config.clients[0], expires: '2020-01-01' }] };
    await writeFile(join(dir, 'expired.json'), JSON.stringify(expired));
    const result = await spaServer('check', '-c', 'expired.json');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('warning: client "alice": key expired 2020-01-01T00:00:00.000Z');
    expect(result.stdout).toBe('ok: 1 client, 2 services, ports tcp/22, tcp/80, tcp/443');
  });

  it('prints one line per problem and exits 78', async () => {
    const bad = { ...config, queueSize: 0, clients: [{ ...config.clients[0], services: ['db'] }] };
    await writeFile(join(dir, 'bad.json'), JSON.stringify(bad));
    const result = await spaServer('check', '-c', 'bad.json');
    expect(result.exitCode).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('queueSize: must be at least 1');
  });

  it('refuses metrics on a non-loopback address without metrics.allowRemote, in one line, exit 78', async () => {
    await writeFile(
      join(dir, 'remote.json'),
      JSON.stringify({ ...config, metrics: { listen: '0.0.0.0:9262' } }),
    );
    const refused = await spaServer('check', '-c', 'remote.json');
    expect([refused.exitCode, refused.stderr]).toEqual([
      78,
      'metrics.listen: 0.0.0.0:9262 is not a loopback address; set "metrics.allowRemote": true to serve metrics beyond this host',
    ]);
    const run = await spaServer('--config', 'remote.json');
    expect(run.exitCode).toBe(78);
    const allowed = { ...config, metrics: { listen: '0.0.0.0:9262', allowRemote: true } };
    await writeFile(join(dir, 'remote.json'), JSON.stringify(allowed));
    expect((await spaServer('check', '-c', 'remote.json')).exitCode).toBe(0);
  });

  it('names the line and column of a JSON syntax error', async () => {
    await writeFile(join(dir, 'syntax.json'), '{\n  "serverKeyFile": "server.key"\n  "services": {}\n}');
    const result = await spaServer('check', '-c', 'syntax.json');
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toBe(`${join(dir, 'syntax.json')}:3:3: invalid JSON: expected "," or "}"`);
  });

  it('exits 78 for a missing file, with a stack trace only under --verbose', async () => {
    const plain = await spaServer('check', '-c', 'missing.json');
    expect(plain.exitCode).toBe(78);
    expect(plain.stderr).toBe(`${join(dir, 'missing.json')}: cannot read the config file: no such file`);
    const verbose = await spaServer('check', '-c', 'missing.json', '--verbose');
    expect(verbose.exitCode).toBe(78);
    expect(verbose.stderr).toContain('ServerError');
    expect(verbose.stderr).toContain('    at ');
  });

  it('refuses unknown options and commands with exit 64', async () => {
    for (const args of [['check', '--bogus'], ['frobnicate'], ['status', '--json=yes']]) {
      const result = await spaServer(...args);
      expect(result.exitCode).toBe(64);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^spa-server: /);
    }
  });

  it('a mistyped command is called unknown, with the closest command, not an argument of run', async () => {
    for (const [word, closest] of [
      ['stauts', 'status'],
      ['chek', 'check'],
    ]) {
      const result = await spaServer(word!, '-c', 'server.json');
      expect(result.exitCode).toBe(64);
      expect(result.stderr).toBe(`spa-server: unknown command '${word}' (did you mean ${closest}?)`);
    }
  });

  it('-c/--config and --verbose work before and after the command, and every help shows them', async () => {
    const expected = `${join(dir, 'missing.json')}: cannot read the config file: no such file`;
    for (const args of [
      ['-c', 'missing.json', 'check'],
      ['check', '--config', 'missing.json'],
      ['--config=missing.json', 'status'],
    ]) {
      const result = await spaServer(...args);
      expect([result.exitCode, result.stderr]).toEqual([78, expected]);
    }
    for (const args of [
      ['--verbose', 'check', '-c', 'missing.json'],
      ['check', '-c', 'missing.json', '--verbose'],
    ]) {
      expect((await spaServer(...args)).stderr).toContain('    at ');
    }
    for (const cmd of ['check', 'status', 'client-config']) {
      const help = await spaServer(cmd, '--help');
      expect(help.stdout).toMatch(/Global Options:\n(.*\n)*\s+-c, --config <file>/);
      expect(help.stdout).toContain('--verbose');
    }
  }, 30_000); // eight runs of the CLI: seconds on a loaded machine

  it('the default command (run) refuses a bad config with exit 78 before touching anything', async () => {
    const result = await spaServer('--config', 'bad.json');
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toBe('queueSize: must be at least 1');
  });
});

describe('spa-server client-config', () => {
  it('prints a profile the client accepts', async () => {
    const result = await spaServer(
      'client-config',
      'alice',
      '-c',
      'server.json',
      '--host',
      'vpn.example.com',
    );
    expect(result.exitCode).toBe(0);
    const profile = parseClientProfile(JSON.parse(result.stdout));
    expect(profile).toEqual({
      hosts: {
        'vpn.example.com': {
          host: 'vpn.example.com',
          port: 62201,
          serverKey,
          services: { ssh: 'tcp/22', web: ['tcp/80', 'tcp/443'] },
          keyFile: '~/.config/spa/alice.key',
          maxDuration: 3600,
        },
      },
    });
  });

  it('pipes into spa-client profile add, which merges it and refuses to overwrite without --force', async () => {
    const client = join(import.meta.dirname, '..', '..', 'spa-client', 'bin', 'spa-client.js');
    const printed = await spaServer(
      'client-config',
      'alice',
      '-c',
      'server.json',
      '--host',
      'vpn.example.com',
    );
    const profileFile = join(dir, 'profile', 'config.json');
    const add = (...extra: string[]) =>
      execa('node', [client, 'profile', 'add', '-c', profileFile, ...extra], {
        input: printed.stdout,
        reject: false,
      });
    expect((await add()).exitCode).toBe(0);
    expect(JSON.parse(await readFile(profileFile, 'utf8'))).toEqual(JSON.parse(printed.stdout));
    expect((await stat(profileFile)).mode & 0o777).toBe(0o600);
    expect((await add()).exitCode).toBe(73);
    expect((await add('--force')).exitCode).toBe(0);
  });

  it("prints the client's own maximum duration, and no allowIp (the client's default signs an address)", async () => {
    const result = await spaServer('client-config', 'bob', '-c', 'server.json', '--host', '2001:db8::1');
    const profile = parseClientProfile(JSON.parse(result.stdout));
    expect(profile.hosts['2001:db8::1']).toMatchObject({ maxDuration: 600, services: { ssh: 'tcp/22' } });
    expect(profile.hosts['2001:db8::1']).not.toHaveProperty('allowIp');
  });

  it('refuses an unknown client or a bad host with exit 64', async () => {
    const unknown = await spaServer('client-config', 'carol', '-c', 'server.json', '--host', 'h');
    expect(unknown.exitCode).toBe(64);
    expect(unknown.stderr).toBe(
      `spa-server: no client "carol" in ${join(dir, 'server.json')} (clients: alice, bob)`,
    );
    const badHost = await spaServer('client-config', 'alice', '-c', 'server.json', '--host', 'a b');
    expect(badHost.exitCode).toBe(64);
    const noHost = await spaServer('client-config', 'alice', '-c', 'server.json');
    expect(noHost.exitCode).toBe(64);
  });
});

/** The systemd unit's NODE_OPTIONS: the build makes the daemon's code cache under them. */
async function unitNodeOptions(): Promise<string> {
  const unit = await readFile(join(import.meta.dirname, '..', 'systemd', 'spa-server.service'), 'utf8');
  return /^Environment="NODE_OPTIONS=([^"]*)"$/m.exec(unit)?.[1] ?? '';
}

describe('the code cache', { timeout: 60_000 }, () => {
  it("the build's caches fit this Node: V8 takes them without flags and under the unit's NODE_OPTIONS", async () => {
    const dist = join(import.meta.dirname, '..', 'dist');
    const unitFlags = await unitNodeOptions();
    // A script file, not `node -e`: -e is in execArgv, which names another cache.
    const probe = join(dir, 'probe-cache.cjs');
    await writeFile(
      probe,
      `process.stdout.write(String(require(${JSON.stringify(join(dist, 'run-bundle.cjs'))}).compileBundle().cachedDataRejected));`,
    );
    // The Node on PATH, which built dist/ (a run of these tests under another Node still checks the build's).
    for (const flags of [undefined, unitFlags]) {
      const r = await execa('node', [probe], {
        env: { PATH: process.env.PATH ?? '', ...(flags ? { NODE_OPTIONS: flags } : {}) },
        extendEnv: false,
      });
      // undefined: no cache was handed to V8 (none for these flags, or made by another V8); true: V8 refused it.
      expect(r.stdout, `NODE_OPTIONS=${flags ?? ''}`).toBe('false');
    }
  });

  it('a stale, damaged or truncated cache is ignored: the bundle compiles as usual', async () => {
    const install = join(dir, 'install');
    const dist = join(import.meta.dirname, '..', 'dist');
    await mkdir(join(install, 'bin'), { recursive: true });
    await mkdir(join(install, 'dist'));
    for (const f of ['spa-server.js', 'package.json']) {
      await copyFile(join(BIN, '..', f), join(install, 'bin', f));
    }
    for (const f of ['cli.cjs', 'run-bundle.cjs']) await copyFile(join(dist, f), join(install, 'dist', f));
    const configFile = join(install, 'server.json');
    await writeFile(configFile, JSON.stringify({ ...config, serverKeyFile: join(dir, 'server.key') }));
    // One cache without flags (the CLI's commands), one under the systemd unit's NODE_OPTIONS.
    const caches = (await readdir(dist)).filter((f) => f.endsWith('.cache'));
    expect(caches).toHaveLength(2);
    const unitFlags = await unitNodeOptions();
    for (const name of caches) {
      const cache = await readFile(join(dist, name));
      const damaged = Buffer.from(cache);
      damaged.fill(7, 100, 400); // corrupt V8 data, which its digest no longer matches
      const stale = Buffer.from(cache);
      stale[0] = (stale[0] ?? 0) ^ 1; // a cache made from another bundle
      for (const bytes of [damaged, stale, Buffer.alloc(3)]) {
        await writeFile(join(install, 'dist', name), bytes);
        for (const flags of [undefined, unitFlags]) {
          const r = await execa('node', [join(install, 'bin', 'spa-server.js'), 'check', '-c', configFile], {
            reject: false,
            env: { PATH: process.env.PATH ?? '', ...(flags ? { NODE_OPTIONS: flags } : {}) },
            extendEnv: false,
          });
          expect(r.exitCode, r.stderr).toBe(0);
          expect(r.stdout).toContain('2 clients');
        }
      }
    }
  });
});
