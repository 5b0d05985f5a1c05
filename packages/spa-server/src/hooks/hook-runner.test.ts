/** Hooks: the event on stdin, arguments passed as written (no shell), a timeout that kills, failures counted, a bounded queue. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureLog } from '../../test/capture-log.js';
import type { ResolvedHooks } from '../config/resolved-config.js';
import type { GrantEvent } from '../grants/grant-events.js';
import { createDaemonLog } from '../observability/log.js';
import { createMetrics } from '../observability/metrics.js';
import { createHookRunner } from './hook-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'spa-hooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A hook in node: appends {argv, stdin, env, start, end} as one line to argv[0], after sleeping argv[1] ms. */
const RECORD = `
const fs = require('node:fs');
const [out, sleep, ...rest] = process.argv.slice(1);
const start = Date.now();
let stdin = '';
process.stdin.on('data', (c) => (stdin += c));
process.stdin.on('end', () => setTimeout(() => {
  fs.appendFileSync(out, JSON.stringify({ argv: rest, stdin, env: process.env, start, end: Date.now() }) + '\\n');
}, Number(sleep)));
`;
const record = (out: string, sleepMs = 0, ...extra: string[]): string[] => [
  process.execPath,
  '-e',
  RECORD,
  out,
  String(sleepMs),
  ...extra,
];
const lines = (
  file: string,
): { argv: string[]; stdin: string; env: Record<string, string>; start: number; end: number }[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
    : [];

const GRANT: GrantEvent = {
  type: 'grant',
  client: 'alice',
  targets: [
    { family: 4, address: '192.0.2.7', protocol: 'tcp', port: 22 },
    { family: 6, address: '2001:db8::7', protocol: 'tcp', port: 22 },
    { family: 4, address: '192.0.2.7', protocol: 'udp', port: 8000, lastPort: 8010 },
  ],
  expiresAtMs: Date.UTC(2030, 0, 1, 12, 0, 30),
  atMs: Date.UTC(2030, 0, 1, 12, 0, 0),
};

/** True while `pid` runs (a killed process not yet reaped by its new parent is a zombie: not running). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function runner(hooks: Partial<ResolvedHooks> & Pick<ResolvedHooks, 'commands'>) {
  const sink = captureLog();
  const log = createDaemonLog({ sink, clock: Date.now, level: 'debug', refusalsPerSecond: 1e9 });
  const metrics = createMetrics({ replayEntries: () => 0, logSuppressed: () => 0 });
  const r = createHookRunner({
    hooks: { timeoutMs: 5000, maxConcurrent: 2, maxQueue: 100, ...hooks },
    log,
    metrics,
  });
  return { r, sink, runs: () => metrics.snapshot().hookRuns };
}

describe('hook runner', () => {
  it('gives the event as one JSON line on stdin and every argument as written, never through a shell', async () => {
    const out = join(dir, 'stdin.jsonl');
    const pwned = join(dir, 'pwned');
    const hostile = [
      `x; touch ${pwned}`,
      `$(touch ${pwned})`,
      `\`touch ${pwned}\``,
      '*',
      '"quoted" \'single\'',
    ];
    const { r, runs } = runner({ commands: { grant: record(out, 0, ...hostile) } });
    r.emit(GRANT);
    await r.idle();
    const [seen] = lines(out);
    expect(seen?.argv).toEqual(hostile);
    expect(existsSync(pwned)).toBe(false);
    expect(seen?.stdin.endsWith('\n')).toBe(true);
    expect(JSON.parse(seen!.stdin)).toEqual({
      version: 1,
      event: 'grant',
      ts: '2030-01-01T12:00:00.000Z',
      client: 'alice',
      addresses: ['192.0.2.7', '2001:db8::7'],
      ports: ['tcp/22', 'udp/8000-8010'],
      grants: [
        { address: '192.0.2.7', protocol: 'tcp', port: 22 },
        { address: '2001:db8::7', protocol: 'tcp', port: 22 },
        { address: '192.0.2.7', protocol: 'udp', port: 8000, lastPort: 8010 },
      ],
      expiresAt: '2030-01-01T12:00:30.000Z',
    });
    // The daemon's environment stays with the daemon.
    expect(Object.keys(seen!.env).sort()).toEqual(['PATH', 'SPA_HOOK_EVENT']);
    expect(seen?.env.SPA_HOOK_EVENT).toBe('grant');
    expect(runs().grant).toEqual({ ok: 1, failed: 0, timeout: 0, dropped: 0 });
  });

  it('runs nothing for an event without a command', async () => {
    const { r, runs } = runner({ commands: {} });
    r.emit(GRANT);
    await r.idle();
    expect(runs().grant.ok + runs().grant.failed).toBe(0);
    expect(r.wants('grant')).toBe(false);
  });

  it('counts and logs a hook that fails, and one that cannot start', async () => {
    const fail = [
      process.execPath,
      '-e',
      'process.stderr.write("no route to the ticket system\\n"); process.exit(3)',
    ];
    const { r, sink, runs } = runner({
      commands: { close: fail, expire: [join(dir, 'no-such-program')] },
    });
    r.emit({ ...GRANT, type: 'close', reason: 'client' });
    r.emit({ ...GRANT, type: 'expire' });
    await r.idle();
    expect(runs().close.failed).toBe(1);
    expect(runs().expire.failed).toBe(1);
    const failed = sink.events('hook.failed');
    expect(failed).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        hook: 'close',
        client: 'alice',
        result: 'failed',
        error: 'exited with 3: no route to the ticket system',
      }),
    );
    expect(failed).toContainEqual(expect.objectContaining({ hook: 'expire', result: 'failed' }));
  });

  it('kills a hook that outlives the timeout, with everything it started', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    // The hook starts a long sleep of its own and then hangs as well.
    const hang = [
      process.execPath,
      '-e',
      `const c = require('node:child_process').spawn('sleep', ['30'], { stdio: 'ignore' });
       require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));
       setInterval(() => {}, 1000);`,
    ];
    const { r, sink, runs } = runner({ commands: { grant: hang }, timeoutMs: 400 });
    const started = Date.now();
    r.emit(GRANT);
    await r.idle();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(runs().grant.timeout).toBe(1);
    expect(sink.events('hook.failed')[0]).toMatchObject({ result: 'timeout', error: 'killed after 400 ms' });
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(running(grandchild)).toBe(false);
  });

  it('frees the slot even when a process the hook moved into its own session keeps stderr open', async () => {
    const pidFile = join(dir, 'escaped.pid');
    // setsid: out of the hook's process group, so the group kill misses it; it inherits stderr.
    const escaping = [
      process.execPath,
      '-e',
      `const c = require('node:child_process').spawn('setsid', ['sleep', '20'], { stdio: ['ignore', 'ignore', 'inherit'] });
       require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));
       setInterval(() => {}, 1000);`,
    ];
    const { r, runs } = runner({ commands: { grant: escaping }, timeoutMs: 300 });
    const started = Date.now();
    r.emit(GRANT);
    await r.idle();
    try {
      expect(Date.now() - started).toBeLessThan(5000);
      expect(runs().grant.timeout).toBe(1);
    } finally {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  });

  it('never waits for a hook, runs at most maxConcurrent, queues maxQueue and drops the rest, counted', async () => {
    const out = join(dir, 'slow.jsonl');
    const { r, sink, runs } = runner({
      commands: { grant: record(out, 300) },
      maxConcurrent: 1,
      maxQueue: 1,
    });
    const before = performance.now();
    for (let i = 0; i < 50; i++) r.emit({ ...GRANT, client: `c${i}` });
    // 50 events handed over while the first hook has barely started.
    expect(performance.now() - before).toBeLessThan(100);
    await r.idle();
    const seen = lines(out);
    expect(seen.map((s) => JSON.parse(s.stdin).client)).toEqual(['c0', 'c1']);
    // One at a time: the queued one started after the first ended.
    expect(seen[1]!.start).toBeGreaterThanOrEqual(seen[0]!.end);
    expect(runs().grant).toEqual({ ok: 2, failed: 0, timeout: 0, dropped: 48 });
    // One line for the overflow, not one per dropped event.
    expect(sink.events('hook.dropped')).toHaveLength(1);
  });

  it('drops what waits at close, and waits for what runs', async () => {
    const out = join(dir, 'close.jsonl');
    const { r, runs } = runner({ commands: { expire: record(out, 200) }, maxConcurrent: 1 });
    for (let i = 0; i < 3; i++) r.emit({ ...GRANT, type: 'expire' });
    await r.close();
    expect(lines(out)).toHaveLength(1);
    expect(runs().expire).toEqual({ ok: 1, failed: 0, timeout: 0, dropped: 2 });
    r.emit({ ...GRANT, type: 'expire' });
    await r.idle();
    expect(runs().expire.ok).toBe(1);
  });
});
