/** The agent's sockets with real streams: splices after the line (or at once on a port socket), and closes hostile or surplus streams silently, counted. */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConnectRequest, MAX_LINE_BYTES, REFUSALS } from './agent-request.js';
import {
  type AgentLimits,
  type AgentServer,
  DEFAULT_LIMITS,
  type Dial,
  DialRefused,
  listenAgent,
} from './agent-server.js';

let dir: string;
let agent: AgentServer | undefined;
let upstream: Server | undefined;
let logs: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spa-agent-'));
  logs = [];
});

afterEach(async () => {
  await agent?.close();
  upstream?.close();
  agent = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A TCP service that greets, then echoes what it gets in upper case and ends when the client does. */
async function startUpstream(): Promise<number> {
  upstream = createServer({ allowHalfOpen: true }, (s) => {
    s.write('BANNER\n');
    s.on('data', (d: Buffer) => s.write(d.toString().toUpperCase()));
    s.on('end', () => s.end('BYE\n'));
  });
  await new Promise<void>((r) => upstream!.listen(0, '127.0.0.1', r));
  return (upstream.address() as { port: number }).port;
}

async function start(
  dial: Dial,
  limits: Partial<AgentLimits> = {},
  ports: { path: string; request: ConnectRequest }[] = [],
): Promise<string> {
  const path = join(dir, 'agent.sock');
  agent = await listenAgent(path, dial, (l) => logs.push(l), { ...DEFAULT_LIMITS, ...limits }, ports);
  return path;
}

/** Sends `input` (then EOF unless `keepOpen`), resolves with everything received until the agent closes. */
function exchange(path: string, input: string | Uint8Array, keepOpen = false): Promise<string> {
  return new Promise((resolve) => {
    const s: Socket = connect({ path, allowHalfOpen: true });
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString();
    });
    s.on('error', () => undefined);
    // The agent's FIN: with keepOpen this side never ends on its own, so it closes here.
    s.on('end', () => s.destroy());
    s.on('close', () => resolve(got));
    s.write(input);
    if (!keepOpen) s.end();
  });
}

const dialTcp =
  (port: number): Dial =>
  () =>
    new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });

describe('listenAgent', () => {
  it('creates the socket 0600, and carries both ways what follows the line, half-close included', async () => {
    const port = await startUpstream();
    const path = await start(dialTcp(port));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await exchange(path, 'connect vpn 22\nhello')).toBe('BANNER\nHELLOBYE\n');
    expect(agent!.counters()).toMatchObject({ spliced: 1 });
  });

  it('a failed knock: nothing written, the stream closed, one line naming the host and why', async () => {
    const path = await start(async () => {
      throw new DialRefused(REFUSALS.unknownHost, 'not in the profile');
    });
    expect(await exchange(path, 'connect evil 22\n')).toBe('');
    expect(logs).toEqual(['refused (unknown-host): evil port 22: not in the profile']);
    expect(agent!.counters()).toMatchObject({ 'unknown-host': 1, spliced: 0 });
  });

  it('hostile lines are refused and counted, and the agent goes on serving', async () => {
    const port = await startUpstream();
    let dials = 0;
    const path = await start(async (r) => {
      dials++;
      return dialTcp(port)(r);
    });
    expect(await exchange(path, 'x'.repeat(MAX_LINE_BYTES * 4))).toBe('');
    expect(await exchange(path, 'connect vpn 22 ; rm -rf ~\n')).toBe('');
    expect(await exchange(path, new Uint8Array([0xff, 0x00, 0x0a]))).toBe('');
    expect(await exchange(path, 'GET / HTTP/1.1\n')).toBe('');
    expect(await exchange(path, 'connect vpn')).toBe('');
    expect(dials).toBe(0);
    expect(agent!.counters()).toMatchObject({
      'line-too-long': 1,
      malformed: 2,
      'unknown-command': 1,
      'no-line': 1,
    });
    expect(await exchange(path, 'connect vpn 22\n')).toBe('BANNER\nBYE\n');
  });

  it('a stream that never sends its line is closed after the first-line timeout', async () => {
    const path = await start(dialTcp(1), { maxConnections: 4, firstLineMs: 100 });
    const started = Date.now();
    expect(await exchange(path, '', true)).toBe('');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(agent!.counters()).toMatchObject({ 'no-line': 1 });
  });

  it('a spliced session leaves room for the next one: only streams still starting count against the cap', async () => {
    const port = await startUpstream();
    const path = await start(dialTcp(port), { maxConnections: 1, firstLineMs: 60_000 });
    const sessions: Socket[] = [];
    for (let i = 0; i < 3; i++) {
      const s = connect({ path, allowHalfOpen: true });
      sessions.push(s);
      const banner = new Promise<string>((resolve) => s.once('data', (d: Buffer) => resolve(d.toString())));
      s.write('connect vpn 22\n');
      expect(await banner).toBe('BANNER\n');
    }
    expect(agent!.counters()).toMatchObject({ spliced: 3 });
    expect(agent!.counters().busy ?? 0).toBe(0);
    for (const s of sessions) s.destroy();
  });

  it('a port socket: 0600, no line read, its own request dialled, every byte carried as sent', async () => {
    const port = await startUpstream();
    const asked: ConnectRequest[] = [];
    const portPath = join(dir, 'agent.sock.abc.22');
    await start(
      async (r) => {
        asked.push(r);
        return dialTcp(port)(r);
      },
      {},
      [{ path: portPath, request: { host: 'vpn', port: 22 } }],
    );
    expect((await stat(portPath)).mode & 0o777).toBe(0o600);
    // What would be a request on the line socket is data here.
    expect(await exchange(portPath, 'connect evil 22\n')).toBe('BANNER\nCONNECT EVIL 22\nBYE\n');
    expect(asked).toEqual([{ host: 'vpn', port: 22 }]);
    expect(agent!.counters()).toMatchObject({ spliced: 1 });
  });

  it('port sockets and the line socket share one cap on streams starting', async () => {
    const portPath = join(dir, 'agent.sock.abc.22');
    // Still knocking when the third stream arrives.
    const slow: Dial = () => new Promise((_, reject) => setTimeout(() => reject(new Error('no grant')), 400));
    const path = await start(slow, { maxConnections: 2, firstLineMs: 60_000 }, [
      { path: portPath, request: { host: 'vpn', port: 22 } },
    ]);
    const held = [connect(portPath), connect(path)];
    await new Promise((r) => setTimeout(r, 100));
    expect(await exchange(portPath, 'x')).toBe('');
    expect(agent!.counters()).toMatchObject({ busy: 1 });
    for (const s of held) s.destroy();
  });

  it('past the cap, new streams are closed at once while the others are kept', async () => {
    const path = await start(dialTcp(1), { maxConnections: 2, firstLineMs: 60_000 });
    const held = [connect(path), connect(path)];
    await new Promise((r) => setTimeout(r, 100));
    expect(await exchange(path, 'connect vpn 22\n')).toBe('');
    expect(agent!.counters()).toMatchObject({ busy: 1 });
    for (const s of held) s.destroy();
  });
});
