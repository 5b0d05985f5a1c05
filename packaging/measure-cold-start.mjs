/** Cold start of the single-file client against `node -e 0` of the same Node 24: interleaved runs, medians, ratios. @module */
// Usage: node packaging/measure-cold-start.mjs NODE24 CLIENT_EXECUTABLE [RUNS]   (packaging/measure.sh runs it)
import { knockKeys, median, timeInterleaved, withScratchHome } from '../scripts/interleaved-timing.mjs';

const [node, client, runsText = '40'] = process.argv.slice(2);
if (!node || !client) throw new Error('usage: measure-cold-start.mjs NODE24 CLIENT [RUNS]');
const runs = Number(runsText);
withScratchHome('spa-cold-', (home) => {
  const env = { PATH: '/usr/bin:/bin', HOME: home };
  const { keyFile, serverKey } = knockKeys([client, []], home, env);
  const commands = {
    'node -e 0': [node, ['-e', '0']],
    'spa-client --version': [client, ['--version']],
    'spa-client open --dry-run': [
      client,
      ['open', 'tcp/22', '--host', '127.0.0.1', '--server-key', serverKey, '--key', keyFile, '--dry-run'],
    ],
  };
  const times = timeInterleaved(commands, runs, env);
  const base = median(times['node -e 0']);
  for (const [name, xs] of Object.entries(times)) {
    const m = median(xs);
    console.log(
      `${name.padEnd(26)} median ${m.toFixed(1)} ms  ratio ${(m / base).toFixed(2)}  (${xs.length} runs)`,
    );
  }
});
