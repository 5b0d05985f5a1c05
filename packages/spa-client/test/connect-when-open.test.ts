/** The client's probing while a knock opens a port: dense at first, polite later, and one connection held. */
import { spawn } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  attemptStartMs,
  attemptTimeoutMs,
  connectWhenOpen,
  MAX_IN_FLIGHT,
} from '../src/knock/connect-when-open.js';

const servers: Server[] = [];

/** Listens with the smallest accept queue, prints its port, then blocks (never accepts) for 5 s. */
const NEVER_ACCEPTS = `const s = require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(String(s.address().port)); // synchronous: stdout is a pipe
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5000);
});`;
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A free loopback port, not listening yet. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

describe('probe schedule', () => {
  it('never starts more than three attempts in any 10 ms, and one a second once a second has passed', () => {
    const starts = Array.from({ length: 40 }, (_, n) => attemptStartMs(n));
    for (let i = 1; i < starts.length; i++) expect(starts[i]!).toBeGreaterThan(starts[i - 1]!);
    for (let i = 3; i < starts.length; i++) expect(starts[i]! - starts[i - 3]!).toBeGreaterThanOrEqual(10);
    for (const s of starts.filter((t) => t >= 1000).slice(1)) expect(s % 1000).toBe(0);
    // Dense while a grant is likely in flight: a port that opens then is reached within 4 ms.
    const early = starts.filter((t) => t <= 20);
    for (let i = 1; i < early.length; i++) expect(early[i]! - early[i - 1]!).toBeLessThanOrEqual(4);
    expect(starts.filter((t) => t < 100)).toHaveLength(13);
  });

  it('can keep every attempt of the first wait in flight, so a slow grant never finds probing stalled', () => {
    // A firewalled SYN is silently dropped: its attempt holds a slot until its timeout.
    const firstWait = attemptTimeoutMs(0);
    const starts = Array.from({ length: 40 }, (_, n) => attemptStartMs(n));
    expect(starts.filter((t) => t < firstWait).length).toBeLessThanOrEqual(MAX_IN_FLIGHT);
  });

  it('lets no attempt live long enough for the kernel to retransmit its SYN (1 s)', () => {
    for (let n = 0; n < 40; n++) expect(attemptTimeoutMs(n)).toBeLessThan(1000);
  });
});

describe('connectWhenOpen', () => {
  it('connects within a few ms of the port opening, keeping one connection', async () => {
    const port = await freePort();
    const held: Socket[] = [];
    const server = createServer((s) => held.push(s));
    servers.push(server);
    const began = performance.now();
    setTimeout(() => server.listen(port, '127.0.0.1'), 32);
    const outcome = await connectWhenOpen('127.0.0.1', port, began + 5000);
    const after = performance.now() - began;
    expect(outcome.socket).toBeDefined();
    // Opened at 32 ms; the next attempt starts at 40 ms.
    expect(after).toBeLessThan(80);
    await new Promise((r) => setTimeout(r, 100));
    expect(held.filter((s) => !s.destroyed && !s.readableEnded)).toHaveLength(1);
    outcome.socket!.destroy();
  });

  it('prints no warning with many attempts in flight (stderr is the terminal under ssh)', async () => {
    // A listener whose accept queue is full drops SYNs, as a firewall does: attempts wait unanswered.
    // It lives in a child whose event loop is blocked, so nothing ever accepts.
    const child = spawn(process.execPath, ['-e', NEVER_ACCEPTS], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = Number(await new Promise<string>((r) => child.stdout.once('data', (d) => r(String(d)))));
    const fillers = Array.from({ length: 4 }, () =>
      connect({ port, host: '127.0.0.1' }).on('error', () => {}),
    );
    await new Promise((r) => setTimeout(r, 50));
    const warnings: Error[] = [];
    const onWarning = (w: Error): number => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const outcome = await connectWhenOpen('127.0.0.1', port, performance.now() + 400);
      expect(outcome.socket).toBeUndefined();
      expect(outcome.attempts).toBeGreaterThan(10);
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => w.message)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      for (const f of fillers) f.destroy();
      child.kill();
    }
  });

  it('counts the schedule from the knock, and keeps three attempts per 10 ms on their real start times', async () => {
    const port = await freePort(); // refused at once: every attempt of the plan starts
    const starts: number[] = [];
    const knockedAt = performance.now() - 40; // a knock sent 40 ms ago: attempts 0-9 are overdue
    const outcome = await connectWhenOpen('127.0.0.1', port, knockedAt + 140, {
      origin: knockedAt,
      mark: (what) => {
        if (what.endsWith('started')) starts.push(performance.now());
      },
    });
    expect(outcome.socket).toBeUndefined();
    // Overdue attempts are not made up for with a burst, and late timers never squeeze in a fourth.
    // The marks read the clock a little after the code's own reading (under coverage, tens of µs
    // later, not always by the same amount): 0.1 ms of slack, far under one attempt's 3 ms spacing.
    for (let i = 3; i < starts.length; i++) expect(starts[i]! - starts[i - 3]!).toBeGreaterThanOrEqual(9.9);
    expect(starts[0]! - knockedAt).toBeLessThan(60);
    expect(starts.length).toBeGreaterThanOrEqual(5);
  });

  it('gives up at the deadline with the last state seen, having tried about once a second after the first', async () => {
    const port = await freePort(); // nothing listens: every attempt is refused at once
    const began = performance.now();
    const outcome = await connectWhenOpen('127.0.0.1', port, began + 2200);
    expect(outcome.socket).toBeUndefined();
    expect(outcome.lastState).toBe('closed');
    expect(performance.now() - began).toBeGreaterThanOrEqual(2190);
    expect(outcome.attempts).toBeLessThanOrEqual(22);
  });
});
