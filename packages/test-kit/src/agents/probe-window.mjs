/** An outsider probing a TCP port every millisecond for a while; prints when connects succeeded (ms since start, and the start's wall clock) as JSON. @module */
import { connect } from 'node:net';

const [address, port, durationMs, timeoutMs = '200'] = process.argv.slice(2);
const duration = Math.min(Number(durationMs), 30_000);
const opened = [];
let attempts = 0;
let pending = 0;
const start = performance.now();
const startEpochMs = Date.now();
const attempt = () => {
  const at = Math.round(performance.now() - start);
  attempts++;
  pending++;
  const socket = connect({ host: address, port: Number(port) });
  // Shorter than the first SYN retransmission (1 s): a success is a SYN sent at `at`, not a retry.
  socket.setTimeout(Number(timeoutMs), () => socket.destroy());
  socket.on('connect', () => {
    opened.push(at);
    socket.destroy();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    pending--;
    if (finished && pending === 0) report();
  });
};
let finished = false;
const timer = setInterval(() => {
  if (performance.now() - start >= duration) {
    clearInterval(timer);
    finished = true;
    if (pending === 0) report();
    return;
  }
  attempt();
}, 1);
function report() {
  opened.sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({ attempts, opened, startEpochMs })}\n`);
  process.exit(0);
}
