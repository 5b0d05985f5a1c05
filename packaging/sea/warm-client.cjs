/** Build step: makes the client's SEA code cache from a dry-run knock (nothing is sent) with throwaway keys. @module */
'use strict';
// Usage: node warm-client.cjs BUNDLE CACHE_OUT, run by the Node the executable is made from (under
// qemu-user for arm64, so nothing here spawns a process).
const { generateKeyPairSync } = require('node:crypto');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const [bundle, cacheOut] = process.argv.slice(2);
if (!bundle || !cacheOut) throw new Error('usage: warm-client.cjs BUNDLE CACHE_OUT');
const home = mkdtempSync(join(tmpdir(), 'spa-client-warm-'));
process.once('exit', () => rmSync(home, { recursive: true, force: true }));
const seed = generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
const keyFile = join(home, 'client.key');
writeFileSync(keyFile, `spa-ed25519-private:${seed.toString('base64url')}\n`, { mode: 0o600 });
const spki = generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' });
// An empty HOME and no SPA_* variables: the scripted path, whatever the building user has configured.
for (const name of Object.keys(process.env)) if (name.startsWith('SPA_')) delete process.env[name];
process.env.HOME = home;
process.argv = [process.argv[0], join(__dirname, 'sea-main.cjs'), bundle, cacheOut];
process.argv.push('open', 'tcp/22', '--host', '127.0.0.1', '--key', keyFile, '--dry-run');
process.argv.push('--server-key', `spa-x25519:${spki.subarray(-32).toString('base64url')}`);
require('./sea-main.cjs');
