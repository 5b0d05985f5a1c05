/** Measures `spa-client open` (no --wait) against a bare `node -e 0`: interleaved runs, medians and their ratio. @module */
// Usage: pnpm --filter spa-client build && node scripts/measure-client-startup.mjs [RUNS]
// Sends to 127.0.0.1 only (nothing listens on the port; the datagram is dropped by the kernel).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { knockKeys, median, timeInterleaved, withScratchHome } from './interleaved-timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'packages', 'spa-client', 'bin', 'spa-client.js');
const runs = Number(process.argv[2] ?? 60);
withScratchHome('spa-startup-', (home) => {
  // An empty HOME: no profile, so this measures the scripted path (everything on the command line).
  const env = { ...process.env, HOME: home };
  delete env.SPA_CONFIG;
  delete env.SPA_PRIVATE_KEY;
  const { keyFile, serverKey } = knockKeys([process.execPath, [bin]], home, env);
  const commands = {
    'node -e 0': [process.execPath, ['-e', '0']],
    'spa-client open': [
      process.execPath,
      [bin, 'open', '--host', '127.0.0.1', '--server-key', serverKey, '--key', keyFile, 'tcp/22'],
    ],
  };
  const times = timeInterleaved(commands, runs, env);
  const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
  for (const [name, xs] of Object.entries(times)) {
    console.log(
      `${name.padEnd(16)} median ${median(xs).toFixed(1)} ms  p90 ${p90(xs).toFixed(1)} ms  (${xs.length} runs)`,
    );
  }
  const ratio = median(times['spa-client open']) / median(times['node -e 0']);
  console.log(`ratio ${ratio.toFixed(2)} (target ≤ 1.30)`);
  process.exitCode = ratio <= 1.3 ? 0 : 1;
});
