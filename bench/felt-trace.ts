/** Where `open --wait`'s milliseconds go: client timing marks, the server's grant log line, and a capture in the client's namespace, run by run. @module */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Host } from 'spa-test-kit/lab/netns';
import { createAliasPool } from './lib/alias-pool.js';
import { installSignalHandlers, onCleanup, runCleanups } from './lib/cleanup.js';
import { openAfterMsOf } from './lib/felt-output.js';
import type { BenchEnv } from './lib/server-under-test.js';
import { createSpaServer } from './lib/spa-server.js';
import { summarize } from './lib/stats.js';

const RUNNER = fileURLToPath(new URL('./lib/felt-runner.mjs', import.meta.url));
const PROTECTED_PORT = 2222;

interface TimedEvent {
  readonly at: number;
  readonly what: string;
}

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, quiet: { type: 'boolean', default: false } },
});
const runs = Number(values.runs);

installSignalHandlers();
try {
  await main();
} finally {
  await runCleanups();
}

async function main(): Promise<void> {
  const sut = createSpaServer();
  await sut.prepare?.();
  const lab = await createLab(['server', 'client']);
  onCleanup(() => lab.destroy());
  const workDir = await mkdtemp(join(tmpdir(), 'spa-felt-trace-'));
  onCleanup(() => rm(workDir, { recursive: true, force: true }));
  const server = lab.host('server');
  const client = lab.host('client');
  const env: BenchEnv = { lab, server, client, protectedPort: PROTECTED_PORT, workDir };
  await _startService(server);
  const pool = await createAliasPool(client, server);
  const running = await sut.start(env, { accessTimeoutS: 2 });
  onCleanup(() => running.stop());
  const capture = _capture(client);
  await new Promise((r) => setTimeout(r, 300));
  const sources = await pool.take(runs + 1);
  const config = {
    server: server.ipv4,
    timeoutMs: 10_000,
    runs: sources.map((source) => {
      const cmd = running.openWaitCommand!(source);
      return { name: 'open-wait', source, steps: [{ ...cmd, args: [...cmd.args, '--verbose'] }] };
    }),
  };
  const { stdout } = await client.exec(process.execPath, [RUNNER, JSON.stringify(config)]);
  await new Promise((r) => setTimeout(r, 100));
  const packets = capture.events;
  const outcomes = JSON.parse(String(stdout)) as {
    source: string;
    stdout: string;
    lines: { text: string }[];
  }[];
  const figures: Record<string, number[]> = {};
  const add = (k: string, v: number | undefined) => {
    if (v === undefined) return;
    figures[k] = [...(figures[k] ?? []), v];
  };
  for (const [i, o] of outcomes.entries()) {
    const origin = Number(
      /\((\d+\.\d+)\)/.exec(o.lines.find((l) => l.text.includes('process started'))?.text ?? '')?.[1],
    );
    const marks: TimedEvent[] = o.lines
      .map((l) => /timing: \+(\d+\.\d+) ms (.*)/.exec(l.text))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ at: origin + Number(m[1]), what: `client: ${m[2]}` }));
    const mine = packets.filter((p) => p.what.includes(`${o.source}.`) || p.what.includes(` ${o.source}`));
    const grant = running.grantTimes()[i];
    const logged = grant === undefined ? [] : [{ at: grant, what: 'server: knock.accepted line read' }];
    const events = [...marks, ...logged, ...mine.map((p) => ({ at: p.at, what: `wire: ${p.what}` }))].sort(
      (a, b) => a.at - b.at,
    );
    const sent = marks.find((m) => m.what.endsWith('knock sent'))?.at;
    const udp = mine.find((p) => p.what.includes('UDP'))?.at;
    const synAck = mine.find((p) => p.what.includes('[S.]'))?.at;
    const firstSyn = mine.find((p) => p.what.includes('[S]'))?.at;
    const connected = marks.find((m) => m.what.endsWith('connected'))?.at;
    const wonAttempt = Number(
      /attempt (\d+) connected/.exec(marks.find((m) => m.what.endsWith('connected'))?.what ?? '')?.[1],
    );
    const wonStart = marks.find((m) => m.what.endsWith(`attempt ${wonAttempt} started`))?.at;
    const reported = openAfterMsOf(o.stdout);
    if (i === 0) continue; // warm-up
    add('reported openAfterMs', reported);
    if (udp !== undefined && sent !== undefined) add('udp on wire → "knock sent" mark', sent - udp);
    if (udp !== undefined && firstSyn !== undefined) add('udp on wire → first SYN on wire', firstSyn - udp);
    if (udp !== undefined && synAck !== undefined) add('udp on wire → first SYN-ACK', synAck - udp);
    if (wonStart !== undefined && udp !== undefined)
      add('udp on wire → winning attempt started', wonStart - udp);
    if (udp !== undefined && grant !== undefined) add('udp on wire → grant line read', grant - udp);
    if (synAck !== undefined && connected !== undefined)
      add('SYN-ACK → "connected" mark', connected - synAck);
    if (udp !== undefined && connected !== undefined) add('udp on wire → "connected" mark', connected - udp);
    add('process start → udp on wire', udp === undefined ? undefined : udp - origin);
    if (!values.quiet) {
      process.stdout.write(`\nrun ${i} from ${o.source}: reported ${reported} ms\n`);
      const t0 = udp ?? events[0]!.at;
      for (const e of events) process.stdout.write(`  ${(e.at - t0).toFixed(3).padStart(9)}  ${e.what}\n`);
    }
  }
  process.stdout.write('\nsummary (ms): p50 / p95 / max\n');
  for (const [k, v] of Object.entries(figures)) {
    const s = summarize(v);
    process.stdout.write(
      `  ${k.padEnd(40)} ${s.p50.toFixed(2)} / ${s.p95.toFixed(2)} / ${s.max.toFixed(2)}  (n=${v.length})\n`,
    );
  }
  process.stdout.write(`server grants logged: ${running.grantTimes().length} of ${outcomes.length}\n`);
}

/** tcpdump, text output, one line per packet with its wall-clock time (µs), from the client's eth0. */
function _capture(client: Host): { events: TimedEvent[] } {
  const events: TimedEvent[] = [];
  const child = client.exec(
    'tcpdump',
    ['-tt', '-n', '-l', '--immediate-mode', '-i', 'eth0', 'udp or tcp or arp'],
    {
      buffer: false,
      reject: false,
    },
  );
  onCleanup(async () => {
    child.kill('SIGINT');
    await child.catch(() => {});
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = /^(\d+\.\d+) (.*)$/.exec(line);
    if (m) events.push({ at: Number(m[1]) * 1000, what: m[2]! });
  });
  return { events };
}

/** The protected TCP service, in the server namespace; resolves once it listens. */
async function _startService(server: Host): Promise<void> {
  const service = server.exec(process.execPath, [agentPath('tcp-service.mjs'), String(PROTECTED_PORT)], {
    buffer: false,
    reject: false,
  });
  onCleanup(async () => {
    service.kill();
    await service.catch(() => {});
  });
  await new Promise<void>((resolve) =>
    createInterface({ input: service.stdout! }).once('line', () => resolve()),
  );
}
