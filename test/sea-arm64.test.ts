/** The linux-arm64 single-file client, run under qemu-user (Debian's qemu-user-static and arm64 cross libraries). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT } from 'spa-test-kit/build/artifacts';
import { spaKeys } from 'spa-test-kit/build/spa-fixture';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SYSROOT = '/usr/aarch64-linux-gnu';

describe('single-file executable (linux-arm64, under qemu-user)', () => {
  let dir: string;
  let client: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spa-arm64-'));
    // Its own build, not dist/'s: another test file may be rebuilding dist/ (x64 only) meanwhile.
    client = join(dir, 'spa-client-linux-arm64');
    await execa('node', [join(ROOT, 'scripts', 'bundle.mjs'), 'spa-client', '--sea', join(dir, 'cli.cjs')]);
    await execa('bash', [
      join(ROOT, 'packaging', 'sea', 'build-sea.sh'),
      join(dir, 'cli.cjs'),
      'arm64',
      client,
      // As shipped: the code cache is taken after a dry-run knock, under qemu-user.
      join(ROOT, 'packaging', 'sea', 'warm-client.cjs'),
    ]);
  }, 900_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is an aarch64 executable that prints its version under qemu-aarch64-static', async () => {
    const file = await execa('file', ['-b', client]);
    expect(file.stdout).toMatch(/ELF 64-bit LSB .*ARM aarch64/);
    const r = await execa('/usr/bin/qemu-aarch64-static', ['-L', SYSROOT, client, '--version'], {
      env: { PATH: '/nonexistent' },
      extendEnv: false,
      timeout: 120_000,
    });
    expect(r.stdout.trim()).toBe('spa-client 0.1.0');
  });

  it('makes a key and seals a knock (open --dry-run) under qemu-aarch64-static', async () => {
    const qemu = (args: readonly string[]) =>
      execa('/usr/bin/qemu-aarch64-static', ['-L', SYSROOT, client, ...args], {
        env: { PATH: '/nonexistent', HOME: dir },
        extendEnv: false,
        timeout: 120_000,
      });
    const pub = await qemu(['keygen', '--out', join(dir, 'alice.key')]);
    expect(pub.stdout.trim()).toMatch(/^spa-ed25519:[A-Za-z0-9_-]{43}$/);
    const r = await qemu([
      'open',
      'tcp/22',
      '--host',
      '127.0.0.1',
      '--server-key',
      spaKeys([]).serverKeyText,
      '--key',
      join(dir, 'alice.key'),
      '--dry-run',
      '--json',
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({ dryRun: true });
  });
});
