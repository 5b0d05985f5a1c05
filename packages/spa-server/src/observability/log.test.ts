/** Log lines: fixed field order, no empty fields, level filter, refusal rate limit with summaries, the README's fail2ban filter. */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from '../../test/capture-log.js';
import { readmeFail2banFilter } from '../../test/readme-fail2ban.js';
import { ALL_REFUSALS } from '../shared/reasons.js';
import { createDaemonLog, type DaemonLog, type Logger } from './log.js';

const T0 = Date.UTC(2026, 10, 25, 4, 20, 0, 123);
const logs: DaemonLog[] = [];
afterEach(() => {
  for (const l of logs.splice(0)) l.close();
});

function make(
  options: { level?: 'debug' | 'info' | 'warn' | 'error'; refusalsPerSecond?: number; sink?: Logger } = {},
) {
  const clock = { now: T0 };
  const sink = captureLog();
  const lines: string[] = [];
  const log = createDaemonLog({
    sink: options.sink ?? {
      write(entry) {
        sink.write(entry);
        lines.push(JSON.stringify(entry));
      },
    },
    clock: () => clock.now,
    level: options.level ?? 'info',
    refusalsPerSecond: options.refusalsPerSecond ?? 100,
    summaryIntervalMs: 60_000,
  });
  logs.push(log);
  return { log, sink, lines, clock };
}

describe('daemon log', () => {
  it('writes ts, level, event, then the decision fields in a fixed order, then the rest, omitting absent ones', () => {
    const { log, lines } = make();
    log.event('info', 'knock.accepted', {
      duration: 30,
      addresses: ['203.0.113.7'],
      services: ['ssh'],
      client: 'alice',
      srcPort: 5,
      src: '203.0.113.7',
      extra: 1,
    });
    log.refusal({ reason: 'bad-mac', src: '198.51.100.1', srcPort: 9, client: undefined });
    expect(lines).toEqual([
      '{"ts":"2026-11-25T04:20:00.123Z","level":"info","event":"knock.accepted","src":"203.0.113.7","srcPort":5,"client":"alice","services":["ssh"],"addresses":["203.0.113.7"],"duration":30,"extra":1}',
      '{"ts":"2026-11-25T04:20:00.123Z","level":"info","event":"knock.refused","reason":"bad-mac","src":"198.51.100.1","srcPort":9}',
    ]);
  });

  it('filters by level', () => {
    const { log, sink } = make({ level: 'warn' });
    log.event('info', 'a');
    log.event('debug', 'b');
    log.refusal({ reason: 'bad-mac', src: '1.2.3.4', srcPort: 1 });
    log.event('warn', 'c');
    log.event('error', 'd');
    expect(sink.entries.map((e) => e.event)).toEqual(['c', 'd']);
  });

  it('writes at most refusalsPerSecond refusal lines and summarises the rest by reason', () => {
    const { log, sink, clock } = make({ refusalsPerSecond: 3 });
    for (let i = 0; i < 10; i++)
      log.refusal({ reason: i % 2 ? 'bad-mac' : 'too-short', src: '1.2.3.4', srcPort: 1 });
    expect(sink.events('knock.refused')).toHaveLength(3);
    clock.now += 1000; // the budget refills
    log.refusal({ reason: 'stale', src: '1.2.3.4', srcPort: 1 });
    expect(sink.events('knock.refused')).toHaveLength(4);
    // Decisions other than refusals are never suppressed.
    log.event('info', 'knock.accepted');
    expect(sink.events('knock.accepted')).toHaveLength(1);
    log.close();
    expect(sink.events('log.suppressed')).toEqual([
      expect.objectContaining({
        level: 'warn',
        count: 7,
        reasons: { 'bad-mac': 4, 'too-short': 3 },
        message: '7 refusals suppressed',
      }),
    ]);
    expect(log.suppressedTotal).toBe(7);
  });

  it('keeps going when stdout is broken', () => {
    const { log } = make({
      sink: {
        write() {
          throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        },
      },
    });
    expect(() => log.event('info', 'x')).not.toThrow();
    expect(() => log.refusal({ reason: 'bad-mac', src: '1.2.3.4', srcPort: 1 })).not.toThrow();
  });

  it('the fail2ban filter in the README matches only refusals after the signature from a signed source, IPv4 and IPv6', () => {
    const banned = readmeFail2banFilter();
    const { log, lines } = make();
    log.refusal({
      reason: 'policy-source',
      src: '203.0.113.9',
      srcPort: 1,
      client: 'alice',
      srcSigned: true,
    });
    log.refusal({ reason: 'policy-service', src: '2001:db8::9', srcPort: 1, client: 'bob', srcSigned: true });
    // A copy relayed first from an address the knock did not sign names the client, but is not banned.
    log.refusal({
      reason: 'policy-service',
      src: '203.0.113.12',
      srcPort: 1,
      client: 'bob',
      srcSigned: false,
    });
    // Anyone can make these "from" any address (junk, or copies of a client's datagrams).
    log.refusal({ reason: 'bad-signature', src: '203.0.113.10', srcPort: 1 });
    log.refusal({ reason: 'unknown-client', src: '203.0.113.11', srcPort: 1 });
    log.refusal({ reason: 'bad-mac', src: '198.51.100.1', srcPort: 1 });
    log.refusal({ reason: 'stale', src: '198.51.100.2', srcPort: 1 });
    log.event('info', 'knock.accepted', { src: '198.51.100.3', srcPort: 1, client: 'alice' });
    expect(lines.map(banned)).toEqual([
      '203.0.113.9',
      '2001:db8::9',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('the README documents exactly the reason codes the daemon emits', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Refusal reasons'), readme.indexOf('### fail2ban'));
    const documented = section
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .flatMap((l) => [...(l.split('|')[1] ?? '').matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]));
    expect(documented.sort()).toEqual([...ALL_REFUSALS].sort());
  });
});
