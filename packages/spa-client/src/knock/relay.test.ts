/** The relay against a real TCP server on loopback: both directions, half-close, and a server that hangs up first. */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { relay } from './relay.js';

let server: Server | undefined;
afterEach(() => server?.close());

async function serve(handler: (socket: Socket) => void): Promise<Socket> {
  server = createServer({ allowHalfOpen: true }, handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const socket = connect({
    port: (server.address() as { port: number }).port,
    host: '127.0.0.1',
    allowHalfOpen: true,
  });
  await once(socket, 'connect');
  return socket;
}

const collect = (stream: PassThrough): (() => string) => {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString();
};

describe('relay', () => {
  it('carries stdin to the server, sends FIN at its end, and delivers everything the server says after it', async () => {
    let received = '';
    const socket = await serve((s) => {
      s.on('data', (d) => {
        received += d.toString();
      });
      // Answers only after our FIN: the half-close must not cut the way back.
      s.on('end', () => s.end(`got ${received.length} bytes`));
    });
    const input = new PassThrough();
    const output = new PassThrough();
    const text = collect(output);
    const done = relay(socket, input, output);
    input.end('x'.repeat(50_000));
    await done;
    expect(received.length).toBe(50_000);
    expect(text()).toBe('got 50000 bytes');
  });

  it('ends when the server hangs up first, and lets go of an input that has not ended', async () => {
    const socket = await serve((s) => s.end('bye\n'));
    const input = new PassThrough(); // never ended, like a terminal
    const output = new PassThrough();
    const text = collect(output);
    await relay(socket, input, output);
    expect(text()).toBe('bye\n');
    expect(input.destroyed).toBe(true);
  });

  it('rejects with CONNECTION_LOST when the connection is reset', async () => {
    const socket = await serve((s) => setTimeout(() => s.resetAndDestroy(), 20));
    const error = await relay(socket, new PassThrough(), new PassThrough()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONNECTION_LOST', message: expect.stringMatching(/ECONNRESET/) });
  });
});
