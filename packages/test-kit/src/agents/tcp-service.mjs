/** A tiny dual-stack TCP service (greets, then echoes) to stand behind the firewall in tests. @module */
import { createServer } from 'node:net';

const port = Number(process.argv[2] ?? 2222);
createServer((socket) => {
  socket.write('hello from the protected service\n');
  socket.pipe(socket);
  socket.on('error', () => {});
}).listen({ port, host: '::', ipv6Only: false }, () => process.stdout.write(`listening ${port}\n`));
