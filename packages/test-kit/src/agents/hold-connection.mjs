/** Holds one TCP connection past a grant's end: prints "connected", then "echo-ok" if it still works after WAIT_MS. @module */
import { connect } from 'node:net';

// usage: hold-connection.mjs ADDRESS PORT WAIT_MS (talks to tcp-service.mjs, which greets and echoes)
const [host, port, waitMs] = process.argv.slice(2);
const socket = connect({ host, port: Number(port) });
let phase = 'greeting';
let seen = '';
socket.setEncoding('utf8');
socket.on('data', (data) => {
  seen += data;
  if (phase === 'greeting' && seen.includes('hello')) {
    phase = 'waiting';
    seen = '';
    process.stdout.write('connected\n');
    setTimeout(() => {
      phase = 'echo';
      socket.write('still-here\n');
    }, Number(waitMs));
  } else if (phase === 'echo' && seen.includes('still-here')) {
    process.stdout.write('echo-ok\n');
    process.exit(0);
  }
});
socket.on('error', (e) => {
  process.stdout.write(`error ${e.code}\n`);
  process.exit(1);
});
setTimeout(() => {
  process.stdout.write(`timeout ${phase}\n`);
  process.exit(1);
}, Number(waitMs) + 5000);
