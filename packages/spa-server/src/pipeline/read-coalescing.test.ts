/** Read coalescing on real loopback sockets: a flood is read in batches with nothing lost, a trickle is never paused, and a closed socket stays closed. */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { coalesceReads, type ReadCoalescing } from './read-coalescing.js';

const open: Socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function receiver(): Promise<{ socket: Socket; port: number; got: Buffer[]; batches: ReadCoalescing }> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  socket.setRecvBufferSize(4 << 20);
  const batches = coalesceReads(socket);
  if (!batches) throw new Error('this Node exposes no UDP handle: coalescing is off');
  const got: Buffer[] = [];
  socket.on('message', (data) => {
    batches.read();
    got.push(data);
  });
  return { socket, port: socket.address().port, got, batches };
}

async function sender(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  open.push(socket);
  return socket;
}

const send = (s: Socket, port: number, i: number): Promise<void> =>
  new Promise((r) => s.send(Buffer.from(`datagram ${i}`), port, '127.0.0.1', () => r()));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('coalesceReads', () => {
  it('reads a flood in batches, pausing between them, and loses nothing', async () => {
    const r = await receiver();
    open.push(r.socket);
    const s = await sender();
    // ~20,000 datagrams/s for 0.3 s: ten times the flood rate, in bursts of 100 every 5 ms.
    for (let burst = 0; burst < 60; burst++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => send(s, r.port, burst * 100 + i)));
      await sleep(5);
    }
    const until = Date.now() + 3000;
    while (r.got.length < 6000 && Date.now() < until) await sleep(10);
    expect(r.got).toHaveLength(6000);
    expect(new Set(r.got.map(String)).size).toBe(6000);
    expect(r.batches.pauses).toBeGreaterThan(0);
  });

  it('never pauses a trickle: each datagram is read at once', async () => {
    const r = await receiver();
    open.push(r.socket);
    const s = await sender();
    for (let i = 0; i < 10; i++) {
      const before = r.got.length;
      const sentAt = performance.now();
      await send(s, r.port, i);
      while (r.got.length === before) await sleep(0);
      expect(performance.now() - sentAt).toBeLessThan(50);
      await sleep(20);
    }
    expect(r.batches.pauses).toBe(0);
  });

  it('stopped in the middle of a pause: the socket closes cleanly and reads nothing more', async () => {
    const r = await receiver();
    const s = await sender();
    for (let burst = 0; burst < 10; burst++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => send(s, r.port, burst * 100 + i)));
      await sleep(2);
    }
    r.batches.stop();
    await new Promise<void>((done) => r.socket.close(() => done()));
    const count = r.got.length;
    await sleep(20);
    expect(r.got.length).toBe(count);
  });
});
