/** Runs inside a lab namespace: sends one datagram (hex) COUNT times, as fast as the socket takes them. Bounded. @module */
import { createSocket } from 'node:dgram';

// usage: flood.mjs ADDRESS PORT COUNT HEX
const [address, port, count, hex] = process.argv.slice(2);
const total = Math.min(Number(count), 2_000_000);
const data = Buffer.from(hex, 'hex');
const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
let sent = 0;
const started = performance.now();
while (sent < total) {
  // Batches of 256 sends, then wait for their callbacks: bounded memory, no unbounded queue in libuv.
  const batch = Math.min(256, total - sent);
  await Promise.all(
    Array.from(
      { length: batch },
      () => new Promise((resolve) => socket.send(data, Number(port), address, resolve)),
    ),
  );
  sent += batch;
}
socket.close();
process.stdout.write(`${JSON.stringify({ sent, seconds: (performance.now() - started) / 1000 })}\n`);
