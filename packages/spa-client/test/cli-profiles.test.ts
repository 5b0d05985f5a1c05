/** The built spa-client binary and profiles: the default path via HOME, --config, SPA_CONFIG, lookups, refusals. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLine, useSandbox } from './cli-harness.js';

const sb = useSandbox({ listener: true });

describe('profiles', { timeout: 30_000 }, () => {
  const profileFor = (overrides: Record<string, unknown> = {}) =>
    sb.profile({ ssh: 'tcp/22', web: ['tcp/80', `tcp/${sb.openPort}`] }, overrides);

  it('the default profile (~/.config/spa/config.json via HOME) makes `open ssh --host NAME` just work', async () => {
    const path = sb.writeProfile(profileFor());
    try {
      const r = await sb.run(['open', 'ssh', '--host', 'vpn.test', '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        host: '127.0.0.1',
        profile: 'vpn.test',
        server: { port: sb.sink.port },
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
      expect(wait.exitCode).toBe(75); // tcp/80 is closed here; tcp/sb.openPort opened
      const ports = JSON.parse(wait.stdout).wait.ports;
      expect(ports.map((p: { port: number }) => p.port)).toEqual([80, sb.openPort]);
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
    writeFileSync(join(sb.home, 'elsewhere', 'client.key'), readFileSync(sb.keyFile), {
      mode: 0o600,
    });
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
    ['{"hosts": ', /bad.json:1:11: invalid JSON: unexpected end of input/],
    [
      '{\n  "hosts": {\n    "a": {"port": 1,}\n  }\n}',
      /bad.json:3:21: invalid JSON: expected a double-quoted property name/,
    ],
  ])('a bad profile exits 78 naming the field: %s', async (text, message) => {
    const path = sb.writeProfile(text, join(sb.home, 'bad.json'));
    const r = await sb.run(['open', 'ssh', '--host', 'vpn.test', '--config', path]);
    expect(r.exitCode).toBe(78);
    expectOneLine(r.stderr);
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
