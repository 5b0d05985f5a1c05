/** `pnpm fuzz -- --count 1000000`: the long live fuzz run against a real spa-server in a lab; prints the figures. @module */
import { parseArgs } from 'node:util';
import { sweepStaleLabs } from '../lab/netns.js';
import { runLiveFuzz } from './live-fuzz.js';

const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
const { values } = parseArgs({
  args: argv,
  options: {
    count: { type: 'string', default: '1000000' },
    seed: { type: 'string' },
    'corpus-size': { type: 'string' },
    'max-seconds': { type: 'string', default: '600' },
    rate: { type: 'string' },
    'server-heap-mb': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const number = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) {
    process.stderr.write(`fuzz: --${name} must be a positive integer\n`);
    process.exit(64);
  }
  return n;
};

await sweepStaleLabs();
const started = Date.now();
const result = await runLiveFuzz({
  count: number('count', values.count)!,
  maxSeconds: number('max-seconds', values['max-seconds'])!,
  seed: number('seed', values.seed),
  corpusSize: number('corpus-size', values['corpus-size']),
  rate: number('rate', values.rate),
  serverHeapMiB: number('server-heap-mb', values['server-heap-mb']),
  log: (line) => process.stderr.write(`${line}\n`),
});
const totalSeconds = (Date.now() - started) / 1000;

const failures = [
  result.answered > 0 && `the server answered ${result.answered} datagrams`,
  result.metrics.accepted > 0 && `${result.metrics.accepted} fuzz datagrams were accepted`,
  result.acceptedLines > 0 && `${result.acceptedLines} knock.accepted lines`,
  result.grantsAfter.length > 0 && `${result.grantsAfter.length} grants after the fuzz`,
  !result.serverAlive && 'the server died',
  result.errorLines.length > 0 &&
    `${result.errorLines.length} error lines: ${JSON.stringify(result.errorLines[0])}`,
  result.legitOpenMs === undefined && 'a legit knock after the fuzz did not open the port',
].filter(Boolean);

if (values.json) {
  process.stdout.write(`${JSON.stringify({ ...result, totalSeconds, failures }, null, 2)}\n`);
} else {
  const m = result.metrics;
  const rate = Math.round(result.sent / result.sendSeconds);
  const lines = [
    `seed ${result.seed}; corpus ${result.corpus.datagrams} distinct datagrams (${JSON.stringify(result.corpus.categories)})`,
    `sent ${result.sent} datagrams in ${result.sendSeconds.toFixed(1)} s (${rate}/s), ${result.sendErrors} send errors, ${result.answered} answers`,
    `server read ${m.received} (${((100 * m.received) / result.sent).toFixed(1)}%${m.received < result.sent ? '; the kernel dropped the rest: socket buffer full' : ''})`,
    `refused by reason: ${JSON.stringify(m.refused)}`,
    `accepted ${m.accepted}, grants ${m.grants}, status --json grants ${result.grantsAfter.length}, knock.accepted lines ${result.acceptedLines}`,
    `RSS KiB: start ${result.rssKiB.start}, after warm-up ${result.rssKiB.afterWarmup}, end ${result.rssKiB.end} (${result.rssKiB.end - result.rssKiB.afterWarmup >= 0 ? '+' : ''}${result.rssKiB.end - result.rssKiB.afterWarmup})`,
    `RSS KiB per tenth of the run: ${tenths(result.rssSamplesKiB).join(' ')}`,
    `legit knock after the fuzz: port open after ${result.legitOpenMs ?? 'never'} ms; server alive: ${result.serverAlive}`,
    `total ${totalSeconds.toFixed(1)} s`,
    failures.length === 0 ? 'PASS' : `FAIL: ${failures.join('; ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
process.exitCode = failures.length === 0 ? 0 : 1;

/** The sample at each tenth of the run, to show a plateau (or a climb) in one line. */
function tenths(samples: readonly number[]): number[] {
  if (samples.length === 0) return [];
  return Array.from(
    { length: 10 },
    (_, i) => samples[Math.max(0, Math.ceil(((i + 1) * samples.length) / 10) - 1)] ?? 0,
  );
}
