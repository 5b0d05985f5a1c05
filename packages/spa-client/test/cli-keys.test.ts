/** The built spa-client binary and keys: keygen, --key FILE, --key -, SPA_PRIVATE_KEY, refusals, the server key. */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { expectOneLine, useSandbox } from './cli-harness.js';

const sb = useSandbox();
/** `open tcp/22` to loopback with the sandbox's server key: what each case adds a key source to. */
const openLocal = () => ['open', 'tcp/22', '--host', '127.0.0.1', '--server-key', sb.serverKey];

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
    expectOneLine(again.stderr);
    expect(again.stderr).toMatch(/file exists/);
    const json = await sb.run(['keygen', '--out', join(sb.home, 'keys', 'j.key'), '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      publicKey: expect.stringMatching(/^spa-ed25519:/),
      keyFile: join(sb.home, 'keys', 'j.key'),
      publicKeyFile: join(sb.home, 'keys', 'j.key.pub'),
      keyId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('keygen refuses a FILE.pub that exists or is a link planted there, and makes no key (73)', async () => {
    const victim = join(sb.home, 'victim');
    writeFileSync(victim, 'precious\n');
    const linked = join(sb.home, 'linked.key');
    symlinkSync(victim, `${linked}.pub`);
    const plain = join(sb.home, 'plain.key');
    writeFileSync(`${plain}.pub`, 'spa-ed25519:old\n');
    for (const out of [linked, plain]) {
      const r = await sb.run(['keygen', '--out', out]);
      expect(r.exitCode).toBe(73);
      expectOneLine(r.stderr);
      expect(r.stderr).toContain(`${out}.pub: file exists`);
      expect(existsSync(out)).toBe(false);
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readFileSync(`${plain}.pub`, 'utf8')).toBe('spa-ed25519:old\n');
    // A taken key name leaves no empty FILE.pub behind.
    const taken = join(sb.home, 'taken.key');
    writeFileSync(taken, 'x', { mode: 0o600 });
    expect((await sb.run(['keygen', '--out', taken])).exitCode).toBe(73);
    expect(existsSync(`${taken}.pub`)).toBe(false);
  });

  it('reads the key from SPA_PRIVATE_KEY and from stdin (--key -), the same key as the file', async () => {
    const text = readFileSync(sb.keyFile, 'utf8');
    const base = [...openLocal(), '--dry-run', '--json'];
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
    const r = await sb.run(['open', 'tcp/22', ...sb.direct().slice(0, -2), '--key', loose]);
    expect(r.exitCode).toBe(65);
    expectOneLine(r.stderr);
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
    expectOneLine(r.stderr);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('not-a-key');
  });

  it('a directory or a FIFO named as the key exits 65 at once (not 70, never a hang)', async () => {
    const dir = join(sb.home, 'keydir');
    mkdirSync(dir, { mode: 0o700 });
    const fifo = join(sb.home, 'key.fifo');
    await execa('mkfifo', ['-m', '600', fifo]);
    for (const key of [dir, fifo]) {
      const r = await sb.run([...openLocal(), '--key', key]);
      expect(r.exitCode).toBe(65);
      expectOneLine(r.stderr);
      expect(r.stderr).toContain(`cannot read key file ${key}: not a regular file`);
    }
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
    expectOneLine(missing.stderr);
    expect(missing.stderr).toMatch(/no server key for 127.0.0.1: pass --server-key/);
  });
});
