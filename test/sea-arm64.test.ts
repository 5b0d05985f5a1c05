/** The linux-arm64 single-file client, run under qemu-user (Debian's qemu-user-static and arm64 cross libraries). */
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, ROOT } from './lib/artifacts.js';

const SYSROOT = '/usr/aarch64-linux-gnu';

describe('single-file executable (linux-arm64, under qemu-user)', () => {
  let dir: string;
  let client: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spa-arm64-'));
    client = join(DIST, 'spa-client-linux-arm64');
    const bundle = join(ROOT, 'packages', 'spa-client', 'src', 'cli.ts');
    // A full build (scripts/build-artifacts.sh) made one already; otherwise build just this one.
    if (!existsSync(client) || statSync(client).mtimeMs < statSync(bundle).mtimeMs) {
      client = join(dir, 'spa-client-linux-arm64');
      await execa('node', [join(ROOT, 'scripts', 'bundle.mjs'), 'spa-client', '--sea', join(dir, 'cli.cjs')]);
      await execa('bash', [
        join(ROOT, 'packaging', 'sea', 'build-sea.sh'),
        join(dir, 'cli.cjs'),
        'arm64',
        client,
      ]);
    }
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
});
