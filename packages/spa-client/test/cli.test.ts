/** The built spa-client binary: arguments and exit codes, key sources, profiles, --json, --dry-run, --wait, keygen. */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createKnockSink, createSandbox, type KnockSink, type Sandbox } from './cli-harness.js';

let sb: Sandbox;
let sink: KnockSink;
let openPort: number;
let listener: Server;

beforeAll(async () => {
  sb = await createSandbox();
  sink = await createKnockSink(sb);
  listener = createServer((s) => s.destroy()).listen(0, '127.0.0.1');
  await new Promise((r) => listener.once('listening', r));
  openPort = (listener.address() as { port: number }).port;
}, 60_000);
afterAll(async () => {
  await sink.close();
  listener.close();
  sb.cleanup();
});

/** The options that make a complete request without a profile, aimed at the sink. */
const direct = (): string[] => [
  '--host',
  '127.0.0.1',
  '--port',
  String(sink.port),
  '--server-key',
  sb.serverKey,
  '--key',
  sb.keyFile,
];
const oneLine = (text: string): void => {
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(text).toMatch(/^spa-client: /);
  expect(text).not.toMatch(/\n\s+at /); // no stack trace
};

describe.concurrent('usage and exit codes', { timeout: 30_000 }, () => {
  it('--version and --help on every command (with examples) exit 0', async () => {
    const version = await sb.run(['--version']);
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toMatch(/^spa-client \d+\.\d+\.\d+/);
    for (const args of [
      ['--help'],
      ['help', 'open'],
      ['open', '--help'],
      ['close', '-h'],
      ['connect', '--help'],
      ['keygen', '--help'],
    ]) {
      const help = await sb.run(args);
      expect(help.exitCode, args.join(' ')).toBe(0);
      expect(help.stdout).toMatch(/Usage: spa-client/);
      expect(help.stdout).toMatch(/Examples:/);
    }
  });

  it('no command prints the help on stderr and exits 64', async () => {
    const r = await sb.run([]);
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toMatch(/Usage: spa-client COMMAND/);
    expect(r.stdout).toBe('');
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['open', 'tcp/22', '--bogus'], /Unknown option '--bogus'/],
    [['open', 'tcp/22'], /--host is required/],
    [
      ['open', 'tcp/22', '--host', '127.0.0.1', '--port', '0'],
      /--port: expected a port number 1-65535, got "0"/,
    ],
    [
      ['open', 'tcp/22', '--host', '127.0.0.1', '--port', '22', '--port', '23'],
      /--port given more than once/,
    ],
    [
      ['open', 'tcp/99999', '--host', 'h', '--server-key', 'x'],
      /not a service name, tcp\/PORT or udp\/PORT: "tcp\/99999"/,
    ],
    [['open', 'tcp/22', '--host', 'a b'], /--host: not a host name or address/],
    [['open', 'tcp/22', '--host', '127.0.0.1', '--timeout', '3'], /--timeout only applies with --wait/],
    [['open', 'tcp/22', '--host', '127.0.0.1', '--duration', '1.5'], /--duration: expected whole seconds/],
    [['open', 'tcp/22', '--host', '127.0.0.1', '--allow-ip', 'source,auto'], /cannot be combined/],
    [['open', 'tcp/22', '--host', '127.0.0.1', '-4', '-6'], /-4 and -6 exclude each other/],
    [['close', 'tcp/22', '--host', '127.0.0.1', '--duration', '5'], /Unknown option '--duration'/],
    [['connect', '--host', '127.0.0.1'], /--port PORT is required/],
    [['connect', '--host', '127.0.0.1', '--port', '22', '--key', '-'], /stdin carries the connection/],
    [['keygen'], /--out FILE is required/],
  ])('%j exits 64 with one line', async (args, message) => {
    const r = await sb.run(args);
    expect(r.exitCode).toBe(64);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(message);
  });

  it('--verbose adds the stack trace to the error line', async () => {
    const r = await sb.run(['open', 'tcp/22', '--host', '127.0.0.1', '--port', '0', '--verbose']);
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('--json errors are one object on stdout with code and exit code', async () => {
    const r = await sb.run(['open', 'tcp/22', '--host', '127.0.0.1', '--port', 'x', '--json']);
    expect(r.exitCode).toBe(64);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { code: 'USAGE', exitCode: 64, message: expect.stringMatching(/--port/) },
    });
  });
});

describe.concurrent('keys', { timeout: 30_000 }, () => {
  it('keygen writes a 0600 key and FILE.pub, prints only the public key, and refuses to overwrite', async () => {
    const out = join(sb.home, 'keys', 'new.key');
    const r = await sb.run(['keygen', '--out', out, '--comment', 'ci@example']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^spa-ed25519:[A-Za-z0-9_-]{43}\n?$/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(statSync(join(sb.home, 'keys')).mode & 0o077).toBe(0);
    expect(readFileSync(`${out}.pub`, 'utf8')).toBe(`${r.stdout.trim()} ci@example\n`);
    const again = await sb.run(['keygen', '--out', out]);
    expect(again.exitCode).toBe(73);
    oneLine(again.stderr);
    expect(again.stderr).toMatch(/file exists/);
    const json = await sb.run(['keygen', '--out', join(sb.home, 'keys', 'j.key'), '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      publicKey: expect.stringMatching(/^spa-ed25519:/),
      keyFile: join(sb.home, 'keys', 'j.key'),
      publicKeyFile: join(sb.home, 'keys', 'j.key.pub'),
      keyId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('reads the key from SPA_PRIVATE_KEY and from stdin (--key -), the same key as the file', async () => {
    const text = readFileSync(sb.keyFile, 'utf8');
    const base = [
      'open',
      'tcp/22',
      '--host',
      '127.0.0.1',
      '--server-key',
      sb.serverKey,
      '--dry-run',
      '--json',
    ];
    const fromFile = JSON.parse((await sb.run([...base, '--key', sb.keyFile])).stdout);
    const fromEnv = JSON.parse((await sb.run(base, { env: { SPA_PRIVATE_KEY: text } })).stdout);
    const fromStdin = JSON.parse((await sb.run([...base, '--key', '-'], { input: text })).stdout);
    expect(fromEnv.keyId).toBe(fromFile.keyId);
    expect(fromStdin.keyId).toBe(fromFile.keyId);
  });

  it('refuses a key file readable by group or others, naming the fix (65)', async () => {
    const loose = join(sb.home, 'loose.key');
    writeFileSync(loose, readFileSync(sb.keyFile));
    chmodSync(loose, 0o640);
    const r = await sb.run(['open', 'tcp/22', ...direct().slice(0, -2), '--key', loose]);
    expect(r.exitCode).toBe(65);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/accessible by group or others .* chmod 600/);
  });

  it.each([
    [{ SPA_PRIVATE_KEY: 'spa-ed25519-private:not-a-key' }, [], /SPA_PRIVATE_KEY: .*not 32 bytes/],
    [{}, ['--key', '/nonexistent/key'], /cannot read key file \/nonexistent\/key: no such file/],
    [{}, [], /no private key: pass --key FILE/],
  ])('a missing or bad key exits 65 without echoing it (%j %j)', async (env, args, message) => {
    const r = await sb.run(['open', 'tcp/22', '--host', '127.0.0.1', '--server-key', sb.serverKey, ...args], {
      env,
    });
    expect(r.exitCode).toBe(65);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('not-a-key');
  });

  it('a bad server key exits 65, a missing one 78', async () => {
    const bad = await sb.run([
      'open',
      'tcp/22',
      '--host',
      '127.0.0.1',
      '--server-key',
      'spa-ed25519:abc',
      '--key',
      sb.keyFile,
    ]);
    expect(bad.exitCode).toBe(65);
    expect(bad.stderr).toMatch(/--server-key: not a server public key/);
    const missing = await sb.run(['open', 'tcp/22', '--host', '127.0.0.1', '--key', sb.keyFile]);
    expect(missing.exitCode).toBe(78);
    oneLine(missing.stderr);
    expect(missing.stderr).toMatch(/no server key for 127.0.0.1: pass --server-key/);
  });
});

describe('sending knocks', { timeout: 30_000 }, () => {
  it('open sends one datagram the server decodes to exactly the request, and --json describes it', async () => {
    const before = sink.datagrams.length;
    const r = await sb.run(['open', 'ssh', 'tcp/8443', 'udp/53', ...direct(), '--duration', '120', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual([
      'command',
      'dryRun',
      'host',
      'profile',
      'server',
      'keyId',
      'request',
      'packets',
      'wait',
      'notes',
    ]);
    expect(report).toMatchObject({
      command: 'open',
      dryRun: false,
      host: '127.0.0.1',
      profile: null,
      server: { addresses: ['127.0.0.1'], port: sink.port, key: sb.serverKey },
      request: {
        kind: 'open',
        access: ['ssh', 'tcp/8443', 'udp/53'],
        allowIp: ['source'],
        addresses: [],
        durationSeconds: 120,
      },
      wait: null,
    });
    expect(report.packets).toHaveLength(1);
    await expect.poll(() => sink.datagrams.length).toBe(before + 1);
    const knock = sink.decoded().at(-1)!;
    expect(knock).toMatchObject({ kind: 'open', addresses: [], durationSeconds: 120 });
    expect(knock.access).toEqual([
      { type: 'service', name: 'ssh' },
      { type: 'tcp', port: 8443 },
      { type: 'udp', port: 53 },
    ]);
    expect(Buffer.from(knock.nonce).toString('hex')).toBe(report.packets[0].nonce);
    expect(report.packets[0]).toMatchObject({
      to: '127.0.0.1',
      family: 4,
      port: sink.port,
      bytes: sink.datagrams.at(-1)!.length,
    });
  });

  it('close sends a signed close request; human output is one line', async () => {
    const before = sink.datagrams.length;
    const r = await sb.run(['close', 'tcp/22', ...direct()]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/^sent close tcp\/22 to 127.0.0.1/);
    await expect.poll(() => sink.datagrams.length).toBe(before + 1);
    expect(sink.decoded().at(-1)).toMatchObject({
      kind: 'close',
      durationSeconds: 0,
      access: [{ type: 'tcp', port: 22 }],
    });
  });

  it('--allow-ip: explicit addresses and auto are signed into the request', async () => {
    const before = sink.datagrams.length;
    const r = await sb.run([
      'open',
      'tcp/22',
      ...direct(),
      '--allow-ip',
      '198.51.100.7',
      '--allow-ip',
      'auto,2001:db8::7',
      '--json',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).request).toMatchObject({
      allowIp: ['auto', '198.51.100.7', '2001:db8::7'],
      addresses: ['198.51.100.7', '2001:db8::7', '127.0.0.1'],
    });
    await expect.poll(() => sink.datagrams.length).toBe(before + 1);
    expect(sink.decoded().at(-1)!.addresses).toEqual(['198.51.100.7', '2001:db8::7', '127.0.0.1']);
  });

  it('--dry-run sends nothing and shows the request, human-readable or as JSON', async () => {
    const before = sink.datagrams.length;
    const human = await sb.run(['open', 'ssh', ...direct(), '--dry-run']);
    expect(human.exitCode, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^dry run: nothing sent\n/);
    expect(human.stdout).toMatch(/request {2}open ssh/);
    const json = JSON.parse((await sb.run(['open', 'ssh', ...direct(), '--dry-run', '--json'])).stdout);
    expect(json).toMatchObject({
      dryRun: true,
      request: { access: ['ssh'] },
      packets: [{ to: '127.0.0.1', bytes: 228 }],
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.datagrams.length).toBe(before);
  });

  it('--wait exits 0 once the port accepts, and reports when', async () => {
    const r = await sb.run(['open', `tcp/${openPort}`, ...direct(), '--wait', '--timeout', '3', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).wait).toMatchObject({
      opened: true,
      knocks: 1,
      ports: [{ address: '127.0.0.1', port: openPort, openAfterMs: expect.any(Number), lastState: 'open' }],
    });
  });

  it('--wait that times out exits 75 with one line of likely causes, after fresh re-knocks', async () => {
    const before = sink.datagrams.length;
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const r = await sb.run(['open', `tcp/${closed}`, ...direct(), '--wait', '--timeout', '1.6', '--json']);
    expect(r.exitCode).toBe(75);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(
      /did not open within 1.6 s .*; likely causes: clock skew.*wrong server key.*not authorized.*not allowed/,
    );
    const report = JSON.parse(r.stdout);
    expect(report.error).toMatchObject({ code: 'WAIT_TIMEOUT', exitCode: 75 });
    expect(report.wait).toMatchObject({ opened: false, knocks: 2 });
    expect(report.packets).toHaveLength(2);
    await expect.poll(() => sink.datagrams.length).toBe(before + 2);
    const [a, b] = sink.datagrams.slice(before);
    expect(Buffer.from(a!).equals(Buffer.from(b!))).toBe(false);
    const nonces = sink
      .decoded()
      .slice(before)
      .map((k) => Buffer.from(k.nonce).toString('hex'));
    expect(new Set(nonces).size).toBe(2);
  });

  it('--wait refuses at once when a service has no known ports, or nothing is TCP', async () => {
    const ssh = await sb.run(['open', 'ssh', ...direct(), '--wait']);
    expect(ssh.exitCode).toBe(64);
    expect(ssh.stderr).toMatch(/ports of service "ssh" are unknown/);
    const udp = await sb.run(['open', 'udp/53', ...direct(), '--wait']);
    expect(udp.exitCode).toBe(64);
  });
});

describe('profiles', { timeout: 30_000 }, () => {
  const profileFor = (overrides: Record<string, unknown> = {}) => ({
    hosts: {
      'vpn.test': {
        host: '127.0.0.1',
        port: sink.port,
        serverKey: sb.serverKey,
        keyFile: sb.keyFile,
        services: { ssh: 'tcp/22', web: ['tcp/80', `tcp/${openPort}`] },
        ...overrides,
      },
    },
  });

  it('the default profile (~/.config/spa/config.json via HOME) makes `open ssh --host NAME` just work', async () => {
    const path = sb.writeProfile(profileFor());
    try {
      const r = await sb.run(['open', 'ssh', '--host', 'vpn.test', '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        host: '127.0.0.1',
        profile: 'vpn.test',
        server: { port: sink.port },
      });
      // Without ACCESS: the profile's services; --wait probes the ports behind them.
      const all = await sb.run(['open', '--host', 'vpn.test', '--dry-run', '--json']);
      expect(JSON.parse(all.stdout).request.access).toEqual(['ssh', 'web']);
      const wait = await sb.run([
        'open',
        'web',
        '--host',
        'vpn.test',
        '--wait',
        '--timeout',
        '0.5',
        '--json',
      ]);
      expect(wait.exitCode).toBe(75); // tcp/80 is closed here; tcp/openPort opened
      const ports = JSON.parse(wait.stdout).wait.ports;
      expect(ports.map((p: { port: number }) => p.port)).toEqual([80, openPort]);
      expect(ports[1].openAfterMs).toEqual(expect.any(Number));
    } finally {
      writeFileSync(path, '{"hosts":{}}');
    }
  });

  it('finds an entry by its host field too, and options override the profile', async () => {
    sb.writeProfile(profileFor({ duration: 45, allowIp: '198.51.100.9' }));
    const r = await sb.run(['open', 'ssh', '--host', '127.0.0.1', '--dry-run', '--json', '--duration', '60']);
    expect(JSON.parse(r.stdout)).toMatchObject({
      profile: 'vpn.test',
      request: { durationSeconds: 60, addresses: ['198.51.100.9'] },
    });
    sb.writeProfile({ hosts: {} });
  });

  it('--config and SPA_CONFIG name the file; relative keyFile is relative to it, ~/ is HOME', async () => {
    const other = sb.writeProfile(
      profileFor({ keyFile: 'client.key' }),
      join(sb.home, 'elsewhere', 'p.json'),
    );
    writeFileSync(join(sb.home, 'elsewhere', 'client.key'), readFileSync(sb.keyFile), { mode: 0o600 });
    const viaFlag = await sb.run(['open', 'ssh', '--host', 'vpn.test', '--config', other, '--dry-run']);
    expect(viaFlag.exitCode, viaFlag.stderr).toBe(0);
    const viaEnv = await sb.run(['open', 'ssh', '--host', 'vpn.test', '--dry-run'], {
      env: { SPA_CONFIG: other },
    });
    expect(viaEnv.exitCode, viaEnv.stderr).toBe(0);
    const tilde = sb.writeProfile(profileFor({ keyFile: '~/client.key' }), join(sb.home, 'tilde.json'));
    expect(
      (await sb.run(['open', 'ssh', '--host', 'vpn.test', '--config', tilde, '--dry-run'])).exitCode,
    ).toBe(0);
  });

  it.each([
    [
      '{"hosts": {"vpn.test": {"serverKey": "nope"}}}',
      /hosts\["vpn.test"\].serverKey: expected a server public key/,
    ],
    ['{"hosts": {}, "extra": 1}', /extra: unknown field/],
    ['{"hosts": ', /not valid JSON/],
  ])('a bad profile exits 78 naming the field: %s', async (text, message) => {
    const path = sb.writeProfile(text, join(sb.home, 'bad.json'));
    const r = await sb.run(['open', 'ssh', '--host', 'vpn.test', '--config', path]);
    expect(r.exitCode).toBe(78);
    oneLine(r.stderr);
    expect(r.stderr).toContain(path);
    expect(r.stderr).toMatch(message);
  });

  it('a profile named by --config or SPA_CONFIG must exist; the default one may be absent', async () => {
    const r = await sb.run(['open', 'ssh', '--host', 'vpn.test', '--config', join(sb.home, 'none.json')]);
    expect(r.exitCode).toBe(78);
    expect(r.stderr).toMatch(/none.json: no such file/);
    const e = await sb.run(['open', 'ssh', '--host', 'vpn.test'], {
      env: { SPA_CONFIG: join(sb.home, 'none.json') },
    });
    expect(e.exitCode).toBe(78);
  });
});

describe('the code cache', { timeout: 30_000 }, () => {
  it('a stale or damaged cache is ignored: the bundle compiles as usual', async () => {
    const copy = join(sb.home, 'install');
    mkdirSync(join(copy, 'bin'), { recursive: true });
    mkdirSync(join(copy, 'dist'));
    for (const f of ['spa-client.js', 'run-bundle.cjs', 'package.json']) {
      copyFileSync(join(BIN, '..', f), join(copy, 'bin', f));
    }
    copyFileSync(join(BIN, '..', '..', 'dist', 'cli.cjs'), join(copy, 'dist', 'cli.cjs'));
    const cache = readFileSync(join(BIN, '..', '..', 'dist', 'cli.cjs.cache'));
    const damaged = Buffer.from(cache);
    damaged.fill(7, 100, 400); // right digest, corrupt V8 data: V8 rejects it
    const stale = Buffer.from(cache);
    stale[0] = (stale[0] ?? 0) ^ 1; // a cache made from another bundle
    for (const bytes of [damaged, stale, Buffer.alloc(3)]) {
      writeFileSync(join(copy, 'dist', 'cli.cjs.cache'), bytes);
      const r = await execa(
        process.execPath,
        [join(copy, 'bin', 'spa-client.js'), 'open', 'tcp/22', ...direct(), '--dry-run'],
        {
          reject: false,
          env: sb.env,
          extendEnv: false,
        },
      );
      expect(r.exitCode, `${r.message} ${String(r.stderr)}`).toBe(0);
      expect(String(r.stdout)).toMatch(/^dry run: nothing sent/);
    }
  });
});
