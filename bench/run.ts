/** One-command benchmark: every server under test through the same figures, in one run, on one machine. @module */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { planCpus } from './lib/affinity.js';
import { installSignalHandlers, runCleanups } from './lib/cleanup.js';
import { createFwknopServer } from './lib/fwknop.js';
import { describeMachine } from './lib/machine.js';
import { FIGURE_NAMES, type FigureName, type FigureOptions } from './lib/phase-context.js';
import { type BenchReport, renderMarkdown, writeReport } from './lib/report.js';
import { measureServer } from './lib/server-figures.js';
import type { ServerUnderTest } from './lib/server-under-test.js';
import { createSpaServer } from './lib/spa-server.js';

const RESULTS_DIR = fileURLToPath(new URL('./results', import.meta.url));
const FIGURES = FIGURE_NAMES;

const { values: argv } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    servers: { type: 'string' },
    figures: { type: 'string' },
    knocks: { type: 'string' },
    'interval-ms': { type: 'string' },
    'gap-ms': { type: 'string' },
    'access-timeout': { type: 'string' },
    'flood-ms': { type: 'string' },
    'flood-procs': { type: 'string' },
    'flood-knocks': { type: 'string' },
    'informed-pool': { type: 'string' },
    'sniffed-knocks': { type: 'string' },
    'spoof-sources': { type: 'string' },
    'grant-knocks': { type: 'string' },
    'bulk-knocks': { type: 'string' },
    'bulk-chunk': { type: 'string' },
    'grant-rate': { type: 'string' },
    'cold-runs': { type: 'string' },
    'felt-runs': { type: 'string' },
    'fwknopd-rules-check-threshold': { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

/** The servers this benchmark knows, in report-column order (each implements ServerUnderTest). */
const SERVERS: Record<string, () => ServerUnderTest> = {
  fwknopd: () => {
    const t = argv['fwknopd-rules-check-threshold'];
    return createFwknopServer(t === undefined ? {} : { rulesCheckThreshold: _number(t) });
  },
  'spa-server': () => createSpaServer(),
};

const USAGE = `pnpm bench [--quick] [--servers ${Object.keys(SERVERS).join(',')}] [--figures ${FIGURES.join(',')}]
  [--knocks N] [--gap-ms MS] [--interval-ms MS] [--access-timeout S]
  [--flood-ms MS] [--flood-procs N] [--flood-knocks N] [--informed-pool N] [--sniffed-knocks N] [--spoof-sources N]
  [--grant-knocks N] [--grant-rate PER_S] [--bulk-knocks N] [--bulk-chunk N] [--cold-runs N] [--felt-runs N] [--fwknopd-rules-check-threshold N] [--out DIR]
Needs root: creates network namespaces and removes them at the end (also on Ctrl-C).
Writes DIR/<date>.md, .json and .svg (default bench/results/).`;

function _number(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a non-negative number: ${v}`);
  return n;
}

function _options(): FigureOptions {
  const quick = argv.quick === true;
  const pick = (v: string | undefined, full: number, short: number): number =>
    v === undefined ? (quick ? short : full) : _number(v);
  const figures = (argv.figures ?? FIGURES.join(',')).split(',');
  const unknown = figures.filter((f) => !(FIGURES as readonly string[]).includes(f));
  if (unknown.length > 0)
    throw new Error(`unknown figure(s) ${unknown.join(', ')}; known: ${FIGURES.join(', ')}`);
  return {
    figures: new Set(figures as FigureName[]),
    knocks: pick(argv.knocks, 100, 30),
    gapMs: pick(argv['gap-ms'], 100, 50),
    accessTimeoutS: pick(argv['access-timeout'], 2, 2),
    intervalMs: pick(argv['interval-ms'], 1, 1),
    knockTimeoutMs: 2000,
    floodMs: pick(argv['flood-ms'], 5000, 2000),
    floodProcesses: pick(argv['flood-procs'], 1, 1),
    floodMaxCount: 50_000_000,
    floodKnocks: pick(argv['flood-knocks'], 30, 10),
    floodKnockGapMs: 100,
    floodKnockTimeoutMs: 1000,
    informedPool: pick(argv['informed-pool'], 2048, 512),
    sniffedKnocks: pick(argv['sniffed-knocks'], 256, 256),
    spoofSources: pick(argv['spoof-sources'], 4096, 1024),
    grantKnocks: pick(argv['grant-knocks'], 300, 100),
    grantRatePerS: pick(argv['grant-rate'], 0, 0),
    bulkKnocks: pick(argv['bulk-knocks'], 100_000, 5000),
    bulkChunk: pick(argv['bulk-chunk'], 1000, 1000),
    coldRuns: pick(argv['cold-runs'], 50, 10),
    feltRuns: pick(argv['felt-runs'], 30, 10),
  };
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function main(): Promise<void> {
  if (argv.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  installSignalHandlers();
  const options = _options();
  const names = argv.servers?.split(',') ?? Object.keys(SERVERS);
  const unknown = names.filter((n) => !(n in SERVERS));
  if (unknown.length > 0) {
    throw new Error(`unknown server(s) ${unknown.join(', ')}; known: ${Object.keys(SERVERS).join(', ')}`);
  }
  const plan = planCpus();
  const report: BenchReport = {
    machine: await describeMachine(new Date()),
    options: { ...options, figures: [...options.figures], quick: argv.quick === true, cpus: plan },
    servers: [],
  };
  for (const name of names) report.servers.push(await measureServer(SERVERS[name]!(), options, plan, log));
  const files = await writeReport(report, argv.out ?? RESULTS_DIR);
  process.stdout.write(renderMarkdown(report, files[2]!));
  log(`wrote ${files.join(', ')}`);
}

try {
  await main();
} catch (error) {
  process.stderr.write(
    `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
  );
  process.exitCode = 1;
} finally {
  await runCleanups();
}
