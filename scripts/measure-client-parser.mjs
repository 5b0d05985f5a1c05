/** What commander would cost spa-client: its bundle as built, and the same bundle with commander and a program of its commands, both with the code cache; CPU and wall time of `open`. @module */
// Usage: node scripts/measure-client-parser.mjs [RUNS]
// Sends to 127.0.0.1 only (nothing listens on the port; the datagram is dropped by the kernel).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { knockKeys, median, withScratchHome } from './interleaved-timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const client = join(root, 'packages', 'spa-client');
const runs = Number(process.argv[2] ?? 200);
// commander is the server's dependency; the client's program is built from the same copy.
const commander = createRequire(join(root, 'packages', 'spa-server', 'package.json')).resolve('commander');
const KNOCK = [
  ['--host <host>'],
  ['--server-key <key>'],
  ['--port <port>'],
  ['--spa-port <port>'],
  ['--key <file>'],
  ['--allow-ip <mode...>'],
  ['--discover <source...>'],
  ['--discover-ca <file>'],
  ['-4, --ipv4'],
  ['-6, --ipv6'],
  ['--dry-run'],
  ['--duration <seconds>'],
  ['--wait'],
  ['--timeout <seconds>'],
  ['--json'],
  ['--time-offset <offset>'],
];
// The commands and options the client has, parsed by commander before the client's own dispatch runs.
const PROGRAM = `import { Command } from ${JSON.stringify(commander)};
const program = new Command('spa-client').version('0').option('-c, --config <file>').option('-v, --verbose').exitOverride();
for (const name of ['open', 'close', 'connect']) {
  const c = program.command(name).argument('[access...]').action(() => {});
  for (const [flags] of ${JSON.stringify(KNOCK)}) c.option(flags);
}
program.command('keygen').option('--out <file>').option('--comment <text>').option('--json').action(() => {});
const profile = program.command('profile');
profile.command('add').argument('[file]').option('--force').option('--json').action(() => {});
profile.command('list').option('--json').action(() => {});
profile.command('show').argument('<name>').option('--json').action(() => {});
program.parse(process.argv.slice(2), { from: 'user' });
import ${JSON.stringify(join(client, 'src', 'cli.ts'))};
`;

const work = mkdtempSync(join(tmpdir(), 'spa-parser-'));
try {
  const variants = { parseArgs: undefined, commander: PROGRAM };
  for (const [name, entry] of Object.entries(variants)) {
    const dir = join(work, name);
    mkdirSync(join(dir, 'dist'), { recursive: true });
    for (const part of ['bin', 'scripts', 'package.json'])
      cpSync(join(client, part), join(dir, part), { recursive: true });
    await build({
      ...(entry
        ? { stdin: { contents: entry, resolveDir: client, loader: 'ts' } }
        : { entryPoints: [join(client, 'src', 'cli.ts')] }),
      outfile: join(dir, 'dist', 'cli.cjs'),
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      conditions: ['source'],
      minify: true,
      define: { __SPA_VERSION__: '"0"' },
      logLevel: 'warning',
    });
    execFileSync(process.execPath, [join(dir, 'scripts', 'warm-code-cache.cjs')], {
      cwd: dir,
      stdio: 'inherit',
    });
  }
  withScratchHome('spa-parser-home-', (home) => {
    const env = { ...process.env, HOME: home };
    delete env.SPA_CONFIG;
    delete env.SPA_PRIVATE_KEY;
    const bin = (name) => join(work, name, 'bin', 'spa-client.js');
    const { keyFile, serverKey } = knockKeys([process.execPath, [bin('parseArgs')]], home, env);
    const args = (name) => [
      bin(name),
      'open',
      '--host',
      '127.0.0.1',
      '--server-key',
      serverKey,
      '--key',
      keyFile,
      'tcp/22',
    ];
    // Children's CPU time, from this process's cutime + cstime (clock ticks of 10 ms): summed over
    // many runs it does not depend on how busy the machine's other jobs keep the CPU.
    const childTicks = () => {
      const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
      return Number(fields[13]) + Number(fields[14]);
    };
    const cpu = { parseArgs: 0, commander: 0 };
    const wall = { parseArgs: [], commander: [] };
    for (let i = 0; i < runs + 5; i++) {
      for (const name of Object.keys(cpu)) {
        const ticks = childTicks();
        const start = process.hrtime.bigint();
        const r = spawnSync(process.execPath, args(name), { env, stdio: 'ignore' });
        if (r.status !== 0) throw new Error(`${name}: exit ${r.status}`);
        if (i < 5) continue;
        wall[name].push(Number(process.hrtime.bigint() - start) / 1e6);
        cpu[name] += childTicks() - ticks;
      }
    }
    for (const name of Object.keys(cpu)) {
      console.log(
        `${name.padEnd(10)} wall median ${median(wall[name]).toFixed(1)} ms  CPU ${((cpu[name] * 10) / runs).toFixed(1)} ms per run`,
      );
    }
    const paired = wall.commander.map((ms, i) => ms - wall.parseArgs[i]);
    console.log(
      `commander costs ${(((cpu.commander - cpu.parseArgs) * 10) / runs).toFixed(1)} ms CPU, ${median(paired).toFixed(1)} ms wall (paired median) per open (${runs} runs)`,
    );
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
