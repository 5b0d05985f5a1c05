/** Build step: runs `spa-server check` on a throwaway configuration and saves V8's code caches beside the bundle. @module */
'use strict';
// Run by scripts/bundle.mjs after bundling ("bundle": {"after": ...} in package.json). A check reads
// and validates a configuration, a clients directory and keys, as a start does, and touches nothing.
// V8 takes a cache only under the flags it was made with, so one is made without flags (the CLI's
// commands) and one under the systemd unit's NODE_OPTIONS (the daemon as installed).
const { spawnSync } = require('node:child_process');
const { generateKeyPairSync } = require('node:crypto');
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

if (process.argv[2] === '--child') {
  process.argv.splice(2, 1);
  require('../dist/run-bundle.cjs').runBundle({ makeCache: true });
} else {
  const unit = readFileSync(join(__dirname, '..', 'systemd', 'spa-server.service'), 'utf8');
  const unitFlags = /^Environment="NODE_OPTIONS=([^"]*)"$/m.exec(unit)?.[1];
  if (unitFlags === undefined) throw new Error('systemd/spa-server.service sets no NODE_OPTIONS');

  const home = mkdtempSync(join(tmpdir(), 'spa-server-warm-'));
  try {
    const run = (args, nodeOptions, makeCache) => {
      const result = spawnSync(
        process.execPath,
        makeCache
          ? [__filename, '--child', ...args]
          : [join(__dirname, '..', 'bin', 'spa-server.js'), ...args],
        {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: home,
            ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
          },
          encoding: 'utf8',
        },
      );
      if (result.status !== 0) throw new Error(`spa-server ${args[0]} failed: ${result.stderr}`);
    };
    run(['keygen', '--out', join(home, 'server.key')], undefined, false);
    const clients = join(home, 'clients.d');
    mkdirSync(clients, { mode: 0o755 });
    for (const name of ['alice', 'bob']) {
      const spki = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
      const publicKey = `spa-ed25519:${spki.subarray(-32).toString('base64url')}`;
      writeFileSync(join(clients, `${name}.json`), JSON.stringify({ publicKey, services: ['ssh'] }));
    }
    const config = join(home, 'server.json');
    writeFileSync(
      config,
      JSON.stringify({
        serverKeyFile: 'server.key',
        stateDir: join(home, 'state'),
        services: { ssh: 'tcp/22' },
        clientsDir: 'clients.d',
      }),
    );
    for (const flags of [undefined, unitFlags]) run(['check', '--config', config], flags, true);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
