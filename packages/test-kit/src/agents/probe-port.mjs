/** One TCP connect attempt; prints open, closed or filtered. Run inside a namespace by probe.ts. @module */
import { connect } from 'node:net';

const [address, port, timeout, localPort] = process.argv.slice(2);
// localPort: a chosen source port, to meet a connection the server's conntrack still remembers.
const socket = connect({
  host: address,
  port: Number(port),
  ...(localPort ? { localPort: Number(localPort) } : {}),
});
const done = (state) => {
  process.stdout.write(`${state}\n`);
  socket.destroy();
  process.exit(0);
};
socket.setTimeout(Number(timeout ?? 700), () => done('filtered'));
socket.on('connect', () => done('open'));
socket.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'closed' : 'filtered'));
