/** Cold start of the single-file client against `node -e 0` of the same Node 24: interleaved runs, medians, ratios. @module */
// Usage: node packaging/measure-cold-start.mjs NODE24 CLIENT_EXECUTABLE [RUNS]   (packaging/measure.sh runs it)
// Interleaved (one run of each command in turn), so the load of a shared machine hits every command alike.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';

const [node, client, runsText = '40'] = process.argv.slice(2);
if (!node || !client) throw new Error('usage: measure-cold-start.mjs NODE24 CLIENT [RUNS]');
const runs = Number(runsText);
try {
  setPriority(-15);
} catch {
  // not root: normal priority
}
const home = mkdtempSync(join(tmpdir(), 'spa-cold-'));
const env = { PATH: '/usr/bin:/bin', HOME: home };
try {
  const keyFile = join(home, 'client.key');
  const made = spawnSync(client, ['keygen', '--out', keyFile], { env, encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`keygen failed: ${made.stderr}`);
  const spki = generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' });
  const serverKey = `spa-x25519:${spki.subarray(-32).toString('base64url')}`;
  const commands = {
    'node -e 0': [node, ['-e', '0']],
    'spa-client --version': [client, ['--version']],
    'spa-client open --dry-run': [
      client,
      ['open', 'tcp/22', '--host', '127.0.0.1', '--server-key', serverKey, '--key', keyFile, '--dry-run'],
    ],
  };
  const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  const run = ([file, args]) => {
    const start = process.hrtime.bigint();
    const r = spawnSync(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${r.stderr}`);
    return ms;
  };
  for (const c of Object.values(commands)) for (let i = 0; i < 5; i++) run(c); // page cache
  for (let i = 0; i < runs; i++) for (const [name, c] of Object.entries(commands)) times[name].push(run(c));
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const base = median(times['node -e 0']);
  for (const [name, xs] of Object.entries(times)) {
    const m = median(xs);
    console.log(
      `${name.padEnd(26)} median ${m.toFixed(1)} ms  ratio ${(m / base).toFixed(2)}  (${xs.length} runs)`,
    );
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
