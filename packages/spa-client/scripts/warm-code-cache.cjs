/** Build step: runs the bundle's common path once (open --dry-run) and saves V8's code cache beside it. @module */
'use strict';
// Run by scripts/bundle.mjs after bundling ("bundle": {"after": ...} in package.json). Nothing is
// sent: --dry-run seals a knock (all the crypto and wire-format code) without a socket.
const { spawnSync } = require('node:child_process');
const { generateKeyPairSync } = require('node:crypto');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

if (process.argv[2] === '--child') {
  process.argv.splice(2, 1);
  require('../dist/run-bundle.cjs').runBundle({ makeCache: true });
} else {
  rmSync(join(__dirname, '..', 'dist', 'cli.cjs.cache'), { force: true });
  const home = mkdtempSync(join(tmpdir(), 'spa-client-warm-'));
  try {
    const seed = generateKeyPairSync('ed25519')
      .privateKey.export({ format: 'der', type: 'pkcs8' })
      .subarray(-32);
    const keyFile = join(home, 'client.key');
    writeFileSync(keyFile, `spa-ed25519-private:${seed.toString('base64url')}\n`, { mode: 0o600 });
    const spki = generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' });
    const serverKey = `spa-x25519:${spki.subarray(-32).toString('base64url')}`;
    const args = [
      'open',
      'tcp/22',
      '--host',
      '127.0.0.1',
      '--server-key',
      serverKey,
      '--key',
      keyFile,
      '--dry-run',
    ];
    const run = spawnSync(process.execPath, [__filename, '--child', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: home },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`warming the code cache failed: ${run.stderr}`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
