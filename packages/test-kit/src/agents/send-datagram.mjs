/** Sends datagrams given as hex on argv to ADDRESS PORT, then exits; run inside a lab namespace. @module */
import { createSocket } from 'node:dgram';

// usage: send-datagram.mjs ADDRESS PORT HEX [HEX...]
const [address, port, ...hexes] = process.argv.slice(2);
if (!address || !port || hexes.length === 0) {
  process.stderr.write('usage: send-datagram.mjs ADDRESS PORT HEX [HEX...]\n');
  process.exit(64);
}
const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
// Anything the server sends back would be a protocol violation: report it on stderr and fail.
let answered = false;
socket.on('message', () => {
  answered = true;
});
for (const hex of hexes) {
  await new Promise((resolve, reject) =>
    socket.send(Buffer.from(hex, 'hex'), Number(port), address, (error) =>
      error ? reject(error) : resolve(),
    ),
  );
}
setTimeout(() => {
  socket.close();
  if (answered) {
    process.stderr.write('the server answered\n');
    process.exit(1);
  }
}, 50);
