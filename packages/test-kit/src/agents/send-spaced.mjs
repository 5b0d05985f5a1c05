/** Sends datagrams given as hex on argv to ADDRESS PORT, one every GAP ms from one unconnected socket, then prints their send times (Date.now(), JSON); run inside a lab namespace. @module */
import { createSocket } from 'node:dgram';

// usage: send-spaced.mjs ADDRESS PORT GAP_MS HEX [HEX...]
const [address, port, gap, ...hexes] = process.argv.slice(2);
const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
const times = [];
for (const hex of hexes) {
  times.push(Date.now());
  // An ICMP error (no socket yet on the port) is not reported to an unconnected socket: sending goes on.
  await new Promise((resolve) => socket.send(Buffer.from(hex, 'hex'), Number(port), address, resolve));
  await new Promise((resolve) => setTimeout(resolve, Number(gap)));
}
socket.close();
process.stdout.write(`${JSON.stringify(times)}\n`);
