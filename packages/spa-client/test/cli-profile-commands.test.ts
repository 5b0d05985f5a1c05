/** The built binary: profile add/list/show, broken entries that name themselves, global options before the command, --time-offset and --port. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLine, useSandbox } from './cli-harness.js';

const sb = useSandbox();

describe('profile add, list and show', { timeout: 30_000 }, () => {
  const file = () => join(sb.home, 'p', 'config.json');
  const entry = (name: string, extra: Record<string, unknown> = {}) => ({
    hosts: { [name]: { host: '127.0.0.1', port: sb.sink.port, serverKey: sb.serverKey, ...extra } },
  });

  it('merges client-config output from stdin or a file into a new 0600 file, and refuses to overwrite without --force', async () => {
    const add = await sb.run(['profile', 'add', '-c', file()], { input: JSON.stringify(entry('a')) });
    expect(add.exitCode, add.stderr).toBe(0);
    expect(add.stdout).toBe(`added a to ${file()}`);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(statSync(join(sb.home, 'p')).mode & 0o777).toBe(0o700);

    const other = sb.writeProfile(entry('b', { services: { ssh: 'tcp/22' } }), join(sb.home, 'b.json'));
    expect((await sb.run(['profile', 'add', other, '-c', file()])).exitCode).toBe(0);
    const before = readFileSync(file(), 'utf8');

    const again = await sb.run(['profile', 'add', other, '-c', file(), '--json']);
    expect(again.exitCode).toBe(73);
    expect(again.stderr).toMatch(/"b" already has an entry; nothing written \(--force replaces it\)/);
    expect(readFileSync(file(), 'utf8')).toBe(before);

    const forced = await sb.run(['profile', 'add', other, '-c', file(), '--force', '--json']);
    expect(JSON.parse(forced.stdout)).toEqual({ profile: file(), added: [], replaced: ['b'] });
    expect(Object.keys(JSON.parse(readFileSync(file(), 'utf8')).hosts)).toEqual(['a', 'b']);
    // Written through a temporary file renamed over it: nothing is left beside it.
    expect(readdirSync(join(sb.home, 'p'))).toEqual(['config.json']);
  });

  it('lists and shows entries; an unknown name exits 68 with the closest one', async () => {
    const list = await sb.run(['profile', 'list', '-c', file()]);
    expect(list.stdout).toBe(
      `a  127.0.0.1 port ${sb.sink.port}  (no services)\nb  127.0.0.1 port ${sb.sink.port}  ssh`,
    );
    const show = await sb.run(['profile', 'show', 'b', '-c', file(), '--json']);
    expect(JSON.parse(show.stdout)).toEqual(entry('b', { services: { ssh: 'tcp/22' } }));
    const missing = await sb.run(['profile', 'show', 'bb', '-c', file()]);
    expect(missing.exitCode).toBe(68);
    expect(missing.stderr).toMatch(/no entry "bb" \(did you mean b\?\) \(entries: a, b\)/);
  });

  it('list and add print entry names without their control characters (no terminal escapes)', async () => {
    const evil = 'evil\u001b[2J\u001b]0;x\u0007';
    const path = sb.writeProfile(entry(evil), join(sb.home, 'evil.json'));
    const list = await sb.run(['profile', 'list', '-c', path]);
    expect(list.stdout).toBe(`evil?[2J?]0;x?  127.0.0.1 port ${sb.sink.port}  (no services)`);
    const add = await sb.run(['profile', 'add', path, '-c', join(sb.home, 'p2', 'config.json')]);
    expect(add.stdout).toBe(`added evil?[2J?]0;x? to ${join(sb.home, 'p2', 'config.json')}`);
    // JSON keeps the name exact, escaped.
    const json = await sb.run(['profile', 'list', '-c', path, '--json']);
    expect(JSON.parse(json.stdout).hosts[0].name).toBe(evil);
  });

  it('refuses input that is not a profile, and a profile file that is not JSON, writing nothing', async () => {
    const bad = await sb.run(['profile', 'add', '-c', file()], { input: '{"hosts": {"x": {"port": 1}}}' });
    expect(bad.exitCode).toBe(78);
    expect(bad.stderr).toMatch(/profile stdin: hosts.x.serverKey/);
    const broken = sb.writeProfile('{"hosts": {\n  "a": }}', join(sb.home, 'broken.json'));
    const r = await sb.run(['profile', 'add', '-c', broken], { input: JSON.stringify(entry('c')) });
    expect(r.exitCode).toBe(78);
    expectOneLine(r.stderr);
    expect(r.stderr).toContain(`${broken}:2:8: invalid JSON`);
    expect(readFileSync(broken, 'utf8')).toBe('{"hosts": {\n  "a": }}');
    expect(existsSync(join(sb.home, 'p', 'c'))).toBe(false);
  });

  it('a broken entry names itself when used, is marked by list, and leaves the other hosts usable', async () => {
    const path = sb.writeProfile(
      { hosts: { ...entry('good').hosts, bad: { host: '192.0.2.9', serverKey: 'nope' } } },
      join(sb.home, 'mixed.json'),
    );
    const good = await sb.run([
      'open',
      'tcp/22',
      '--host',
      'good',
      '-c',
      path,
      '--key',
      sb.keyFile,
      '--dry-run',
    ]);
    expect(good.exitCode, good.stderr).toBe(0);
    for (const host of ['bad', '192.0.2.9']) {
      const r = await sb.run(['open', 'tcp/22', '--host', host, '-c', path, '--key', sb.keyFile]);
      expect(r.exitCode).toBe(78);
      expectOneLine(r.stderr);
      expect(r.stderr).toMatch(/mixed.json: hosts.bad.serverKey: expected a server public key/);
    }
    const list = await sb.run(['profile', 'list', '-c', path, '--json']);
    expect(JSON.parse(list.stdout).hosts[0]).toEqual({
      name: 'bad',
      error: expect.stringMatching(/^hosts.bad.serverKey: /),
    });
  });
});

describe('options before the command, --time-offset and --port', { timeout: 30_000 }, () => {
  const dryRun = async (args: string[], path?: string) => {
    const r = await sb.run([...(path ? ['-c', path] : []), 'open', ...args, '--dry-run', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('-c/--config and --verbose work before the command as after it; the main help shows them', async () => {
    const path = sb.writeProfile(sb.profile({ ssh: 'tcp/22' }), join(sb.home, 'g.json'));
    for (const args of [
      ['-c', path, '--verbose', 'open', 'ssh', '--host', 'vpn.test', '--dry-run'],
      ['--config', path, 'open', 'ssh', '--host', 'vpn.test', '--dry-run', '-v'],
      ['open', 'ssh', '--host', 'vpn.test', '--dry-run', '--config', path, '--verbose'],
    ]) {
      const r = await sb.run(args);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain(`profile: ${path} (entry "vpn.test")`);
    }
    const help = await sb.run(['--help']);
    expect(help.stdout).toMatch(/Options \(before or after the command\):\n {2}-c, --config FILE/);
    expect(help.stdout).toMatch(/-v, --verbose/);
  });

  it('--time-offset (and the profile timeOffset) shifts the signed timestamp', async () => {
    const now = Date.now();
    const base = ['tcp/22', ...sb.direct()];
    const shifted = await dryRun([...base, '--time-offset', '-2m']);
    expect(shifted.packets[0].timestamp - now).toBeGreaterThan(-125_000);
    expect(shifted.packets[0].timestamp - now).toBeLessThan(-115_000);
    const path = sb.writeProfile(sb.profile({}, { timeOffset: 3600 }), join(sb.home, 't.json'));
    const fromProfile = await dryRun(['tcp/22', '--host', 'vpn.test'], path);
    expect(fromProfile.packets[0].timestamp - now).toBeGreaterThan(3_595_000);
    const cliWins = await dryRun(['tcp/22', '--host', 'vpn.test', '--time-offset', '0'], path);
    expect(Math.abs(cliWins.packets[0].timestamp - Date.now())).toBeLessThan(5_000);
  });

  it('--port is the TCP port to reach, as for connect: the service that has it, else tcp/PORT; --spa-port the UDP port', async () => {
    const path = sb.writeProfile(sb.profile({ ssh: 'tcp/2222' }), join(sb.home, 'port.json'));
    expect((await dryRun(['--host', 'vpn.test', '--port', '2222'], path)).request.access).toEqual(['ssh']);
    const plain = await dryRun(['--host', 'vpn.test', '--port', '5432'], path);
    expect(plain.request.access).toEqual(['tcp/5432']);
    expect(plain.server.port).toBe(sb.sink.port);
    expect(
      (await dryRun(['--host', 'vpn.test', '--port', '5432', '--spa-port', '4000'], path)).server.port,
    ).toBe(4000);
  });
});
