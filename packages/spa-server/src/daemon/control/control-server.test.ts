/** The control socket against real unix sockets: answers, garbage refused and counted, a stale socket replaced, a live one refused. */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_ERROR_CODES } from '../../shared/server-error.js';
import { askDaemon } from './control-client.js';
import { type ControlRefusal, controlSocketPath } from './control-messages.js';
import { type ControlHandlers, type ControlServer, startControlServer } from './control-server.js';

let dir: string;
let server: ControlServer | undefined;
let refused: ControlRefusal[];
let revoked: number;
const handlers = (): ControlHandlers => ({
  status: () => ({ ok: true, pid: 4242, ports: [{ protocol: 'tcp', port: 22 }], grants: [] }),
  revokeAll: async () => {
    revoked++;
  },
  refused: (reason) => refused.push(reason),
});

/** Sends raw bytes, returns what came back before the server closed. */
function raw(path: string, bytes: string | Buffer, end = true): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.write(bytes);
    if (end) socket.end();
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spa-control-'));
  refused = [];
  revoked = 0;
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('control socket', () => {
  it('answers status and revoke-all, mode 0600, removed on close', async () => {
    server = await startControlServer({ path: controlSocketPath(dir), handlers: handlers() });
    expect((await stat(server.path)).mode & 0o777).toBe(0o600);
    expect(await askDaemon(dir, 'status')).toEqual({
      running: true,
      response: { ok: true, pid: 4242, ports: [{ protocol: 'tcp', port: 22 }], grants: [] },
    });
    expect(await askDaemon(dir, 'revoke-all')).toEqual({
      running: true,
      response: { ok: true, revoked: true },
    });
    expect(revoked).toBe(1);
    await server.close();
    server = undefined;
    expect(await askDaemon(dir, 'status')).toEqual({ running: false });
  });

  it('streams 100,000 grants as one JSON line, and leaves them out when asked to', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({
      family: 4 as const,
      address: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
      protocol: 'tcp' as const,
      port: 22,
      timeoutSeconds: 60,
      client: 'alice',
    }));
    server = await startControlServer({
      path: controlSocketPath(dir),
      handlers: { ...handlers(), status: () => ({ ok: true, pid: 4242, ports: [], grants: many.values() }) },
    });
    const all = await askDaemon(dir, 'status');
    expect(all.running && 'grants' in all.response && all.response.grants).toEqual(many);
    expect(await askDaemon(dir, 'status', undefined, { grants: false })).toEqual({
      running: true,
      response: { ok: true, pid: 4242, ports: [] },
    });
    expect(JSON.parse(await raw(server.path, '{"op":"status","grants":"no"}\n'))).toEqual({
      ok: false,
      error: 'bad-request',
    });
  });

  it('refuses garbage, unknown ops, oversized and slow requests with a reason, counted, and keeps serving', async () => {
    server = await startControlServer({ path: controlSocketPath(dir), handlers: handlers(), timeoutMs: 200 });
    const path = server.path;
    expect(JSON.parse(await raw(path, 'not json\n'))).toEqual({ ok: false, error: 'bad-request' });
    expect(JSON.parse(await raw(path, '[1,2]\n'))).toEqual({ ok: false, error: 'bad-request' });
    expect(JSON.parse(await raw(path, Buffer.from([0xff, 0x00, 0x0a])))).toEqual({
      ok: false,
      error: 'bad-request',
    });
    expect(JSON.parse(await raw(path, '{"op":"rm -rf /"}\n'))).toEqual({ ok: false, error: 'unknown-op' });
    expect(JSON.parse(await raw(path, 'x'.repeat(100_000), false))).toEqual({
      ok: false,
      error: 'too-large',
    });
    expect(await raw(path, '{"op":', false)).toBe(''); // never finished: closed after the timeout
    expect(JSON.parse(await raw(path, ''))).toEqual({ ok: false, error: 'bad-request' });
    expect(refused).toEqual([
      'bad-request',
      'bad-request',
      'bad-request',
      'unknown-op',
      'too-large',
      'timeout',
      'bad-request',
    ]);
    expect(revoked).toBe(0);
    expect((await askDaemon(dir, 'status')).running).toBe(true);
  });

  it('refuses connections beyond the limit as busy', async () => {
    server = await startControlServer({
      path: controlSocketPath(dir),
      handlers: handlers(),
      maxConnections: 1,
    });
    const idle = connect(server.path);
    await new Promise((resolve) => idle.once('connect', resolve));
    expect(JSON.parse(await raw(server.path, '{"op":"status"}\n'))).toEqual({ ok: false, error: 'busy' });
    idle.destroy();
    expect(refused).toEqual(['busy']);
  });

  it('replaces a stale socket left by a crash, refuses to start next to a live daemon or over a file', async () => {
    const path = controlSocketPath(dir);
    const first = await startControlServer({ path, handlers: handlers() });
    await expect(startControlServer({ path, handlers: handlers() })).rejects.toMatchObject({
      code: SERVER_ERROR_CODES.alreadyRunning,
      message: `another spa-server is running with stateDir ${dir}: stop it first`,
    });
    // A crash leaves the file but nobody listening: simulated by closing the listener without unlinking.
    await first.close();
    await writeFile(path, 'not a socket');
    await expect(startControlServer({ path, handlers: handlers() })).rejects.toMatchObject({
      code: SERVER_ERROR_CODES.controlSocketFailed,
    });
    await rm(path);
    server = await startControlServer({ path, handlers: handlers() });
    expect((await askDaemon(dir, 'status')).running).toBe(true);
  });

  it('a path too long for a unix socket is a clear start-up error', async () => {
    await expect(
      startControlServer({ path: join(dir, 'x'.repeat(120), 'control.sock'), handlers: handlers() }),
    ).rejects.toMatchObject({
      code: SERVER_ERROR_CODES.controlSocketFailed,
      message: /choose a shorter stateDir/,
    });
  });
});
