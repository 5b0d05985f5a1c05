/** The built spa-client binary: usage errors and exit codes, --help and --version, and its code cache. */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, expectOneLine, useSandbox } from './cli-harness.js';

const sb = useSandbox();

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
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['opne', 'ssh'], /unknown command 'opne' \(did you mean open\?\)/],
    [['open', 'tcp/22', '--bogus'], /unknown option '--bogus'/],
    [['open', 'tcp/22', '--hots', 'x'], /unknown option '--hots' \(did you mean --host\?\)/],
    [
      ['open', 'tcp/22', '--host', '127.0.0.1', '--duration', '-1'],
      /--duration: expected whole seconds .* got "-1"/,
    ],
    [['open', 'tcp/22', '--host', '127.0.0.1', '--time-offset', '2y'], /--time-offset: expected seconds/],
    [['open', 'tcp/22', '--host', '127.0.0.1', '--time-offset', '-8d'], /at most a week/],
    [
      ['open', 'tcp/22', '--host', '127.0.0.1', '--port', '22'],
      /--port names the TCP port to open .*--spa-port/,
    ],
    [['close', '--host', '127.0.0.1', '--port', '22', 'ssh'], /--port names the TCP port to close/],
    [['open', 'tcp/22'], /--host is required/],
    [
      ['open', 'tcp/22', '--host', '127.0.0.1', '--spa-port', '0'],
      /--spa-port: expected a port number 1-65535, got "0"/,
    ],
    [
      ['open', 'tcp/22', '--host', '127.0.0.1', '--spa-port', '22', '--spa-port', '23'],
      /--spa-port given more than once/,
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
    [['close', 'tcp/22', '--host', '127.0.0.1', '--duration', '5'], /unknown option '--duration'/],
    [['connect', '--host', '127.0.0.1'], /--port PORT is required/],
    [['connect', '--host', '127.0.0.1', '--port', '22', '--key', '-'], /stdin carries the connection/],
    [['keygen'], /--out FILE is required/],
  ])('%j exits 64 with one line', async (args, message) => {
    const r = await sb.run(args);
    expect(r.exitCode).toBe(64);
    expectOneLine(r.stderr);
    expect(r.stderr).toMatch(message);
  });

  it('--verbose adds the stack trace to the error line', async () => {
    const r = await sb.run(['open', 'tcp/22', '--host', '127.0.0.1', '--spa-port', '0', '--verbose']);
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('--json errors are one object on stdout with code and exit code', async () => {
    const r = await sb.run(['open', 'tcp/22', '--host', '127.0.0.1', '--spa-port', 'x', '--json']);
    expect(r.exitCode).toBe(64);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { code: 'USAGE', exitCode: 64, message: expect.stringMatching(/--spa-port/) },
    });
  });
});

describe('the code cache', { timeout: 30_000 }, () => {
  it("the build's cache fits this Node: V8 takes it", async () => {
    const dist = join(BIN, '..', '..', 'dist');
    // A script file, not `node -e`: -e is in execArgv, which names another cache.
    const probe = join(sb.home, 'probe-cache.cjs');
    writeFileSync(
      probe,
      `process.stdout.write(String(require(${JSON.stringify(join(dist, 'run-bundle.cjs'))}).compileBundle().cachedDataRejected));`,
    );
    // The Node on PATH, which built dist/ (a run of these tests under another Node still checks the build's).
    const r = await execa('node', [probe], { env: { PATH: process.env.PATH ?? '' }, extendEnv: false });
    // undefined: no cache was handed to V8 (none, or made by another V8); true: V8 refused it.
    expect(r.stdout).toBe('false');
  });

  it('a stale or damaged cache is ignored: the bundle compiles as usual', async () => {
    const copy = join(sb.home, 'install');
    mkdirSync(join(copy, 'bin'), { recursive: true });
    mkdirSync(join(copy, 'dist'));
    for (const f of ['spa-client.js', 'package.json']) {
      copyFileSync(join(BIN, '..', f), join(copy, 'bin', f));
    }
    for (const f of ['cli.cjs', 'run-bundle.cjs']) {
      copyFileSync(join(BIN, '..', '..', 'dist', f), join(copy, 'dist', f));
    }
    const cache = readFileSync(join(BIN, '..', '..', 'dist', 'cli.cjs.cache'));
    const damaged = Buffer.from(cache);
    damaged.fill(7, 100, 400); // right digest, corrupt V8 data: V8 rejects it
    const stale = Buffer.from(cache);
    stale[0] = (stale[0] ?? 0) ^ 1; // a cache made from another bundle
    for (const bytes of [damaged, stale, Buffer.alloc(3)]) {
      writeFileSync(join(copy, 'dist', 'cli.cjs.cache'), bytes);
      const r = await execa(
        process.execPath,
        [join(copy, 'bin', 'spa-client.js'), 'open', 'tcp/22', ...sb.direct(), '--dry-run'],
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
