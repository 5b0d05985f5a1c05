/** The event stream runner against a real child process: concerning lines call back, long lines stay bounded, a dead stream is restarted, lost events are counted. */
import { describe, expect, it } from 'vitest';
import type { DaemonLog } from '../observability/log.js';
import { startChangeWatch, watchDriver } from './change-watch.js';
import type { FirewallDriver, WatchCommand } from './driver.js';

/** A stand-in for `nft monitor`: prints the given chunks, then exits (or stays when told). */
function node(script: string): WatchCommand {
  return {
    command: { file: process.execPath, prefix: ['-e', script], name: 'node' },
    args: [],
    concerns: (line) => line.startsWith('delete table inet spa'),
  };
}

const until = async (ok: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};

describe('change watch', () => {
  it('calls back once per concerning line, long lines included but never buffered whole', async () => {
    const long = `delete table inet spa ${'x'.repeat(100_000)}`;
    const script = `process.stdout.write(${JSON.stringify(
      `add table inet spa\ndelete table inet spa\n${long}\ndelete table inet other\n${'delete table inet spa'.padStart(30_000, 'y')}\ndelete table inet spa\n`,
    )}); setInterval(() => {}, 1000);`;
    let changes = 0;
    let starts = 0;
    const watch = startChangeWatch({
      watch: node(script),
      onChange: () => changes++,
      onStart: () => starts++,
      onExit: () => {},
    });
    await until(() => changes >= 3);
    await new Promise((r) => setTimeout(r, 200));
    await watch.close();
    expect(changes).toBe(3);
    expect(starts).toBe(1);
  });

  it('restarts a stream that dies, with a check at each start, and says why it ended', async () => {
    let starts = 0;
    const exits: string[] = [];
    const watch = startChangeWatch({
      watch: node('process.stderr.write("netlink: Error: No buffer space available\\n"); process.exit(1)'),
      onChange: () => {},
      onStart: () => starts++,
      onExit: (description) => exits.push(description),
      restartMs: 20,
      maxRestartMs: 40,
    });
    await until(() => starts >= 3);
    await watch.close();
    expect(starts).toBeGreaterThanOrEqual(3);
    expect(exits[0]).toBe(
      'node exited with 1: netlink: Error: No buffer space available; restarting in 20 ms',
    );
    expect(exits[1]).toMatch(/restarting in 40 ms$/);
    const after = starts;
    await new Promise((r) => setTimeout(r, 150));
    expect(starts).toBe(after); // closed: no more restarts
  });

  it('a line that makes the stream stale restarts it at once and quietly: paused, started again, no exit reported', async () => {
    // Prints the stale line only in its first life (a marker file would do; the pid is enough here).
    const first = `${process.pid}-${Date.now()}`;
    const script = `const f = require('node:os').tmpdir() + '/cw-${first}'; const fs = require('node:fs'); if (!fs.existsSync(f)) { fs.writeFileSync(f, ''); process.stdout.write('add set inet spa allow4\\n'); } else fs.unlinkSync(f); setInterval(() => {}, 1000);`;
    const events: string[] = [];
    const watch = startChangeWatch({
      watch: { ...node(script), stales: (line) => line.startsWith('add set inet spa') },
      onChange: () => {},
      onRefresh: () => events.push('refresh'),
      onStart: () => events.push('start'),
      onExit: (d) => events.push(`exit ${d}`),
      restartMs: 5000,
    });
    await until(() => events.filter((e) => e === 'start').length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    await watch.close();
    expect(events).toEqual(['start', 'refresh', 'start']);
  });

  it('lost events are counted each time, logged at most once a minute, and make the caller check', async () => {
    const lostLine = '# ERROR: We lost some netlink events!';
    const script = `process.stdout.write(${JSON.stringify(`${lostLine}\nadd element inet spa allow4 { 10.0.0.1 }\n${lostLine}\n${lostLine}\n`)}); setInterval(() => {}, 1000);`;
    const watch: WatchCommand = {
      ...node(script),
      concerns: (line) => line.startsWith('# ERROR'),
      lost: (line) => line.startsWith('# ERROR'),
    };
    const logged: { event: string; fields: unknown }[] = [];
    const log = {
      event: (_level: string, event: string, fields?: unknown) => logged.push({ event, fields }),
    };
    const counted: string[] = [];
    let checks = 0;
    const running = await watchDriver(
      { watchCommand: async () => watch } as unknown as FirewallDriver,
      () => checks++,
      log as unknown as DaemonLog,
      [],
      { count: (name) => counted.push(name) },
    );
    await until(() => counted.length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    await running?.close();
    expect(counted).toEqual(['firewallEventsLost', 'firewallEventsLost', 'firewallEventsLost']);
    // The first at once; the two after it within the minute, said when the stream closed.
    expect(logged.filter((l) => l.event === 'firewall.events-lost')).toEqual([
      { event: 'firewall.events-lost', fields: { count: 1 } },
      { event: 'firewall.events-lost', fields: { count: 2 } },
    ]);
    // One check at the stream's start, one per loss.
    expect(checks).toBe(4);
  });
});
