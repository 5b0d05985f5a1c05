/** Runs inside the client namespace: for each open/close pair of knocks (hex, from stdin), sends the open and times until TCP connects. @module */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

// usage: knock-latency.mjs SERVER_ADDRESS KNOCK_PORT TCP_PORT < lines "OPEN_HEX CLOSE_HEX"
const [address, knockPort, tcpPort] = process.argv.slice(2);
const pairs = (await new Response(process.stdin).text())
  .trim()
  .split('\n')
  .map((l) => l.split(' '));
const udp = createSocket(address.includes(':') ? 'udp6' : 'udp4');
const send = (hex) =>
  new Promise((resolve, reject) =>
    udp.send(Buffer.from(hex, 'hex'), Number(knockPort), address, (e) => (e ? reject(e) : resolve())),
  );

/** A new connect attempt every 0.5 ms (a dropped SYN would otherwise wait 1 s for its retransmit). */
function timeToOpen(start, limitMs = 2000) {
  return new Promise((resolve) => {
    const sockets = [];
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      for (const s of sockets) s.destroy();
      resolve(value);
    };
    const attempt = () => {
      if (performance.now() - start > limitMs) return finish(undefined);
      const s = connect({ host: address, port: Number(tcpPort) });
      sockets.push(s);
      s.on('connect', () => finish(performance.now() - start));
      s.on('error', () => {});
    };
    const timer = setInterval(attempt, 0.5);
    attempt();
  });
}

/** Waits until a connect attempt is dropped again (the close took effect). */
async function waitFiltered() {
  for (;;) {
    const state = await new Promise((resolve) => {
      const s = connect({ host: address, port: Number(tcpPort) });
      const settle = (state) => {
        s.destroy();
        resolve(state);
      };
      s.setTimeout(50, () => settle('filtered'));
      s.on('connect', () => settle('open'));
      s.on('error', () => resolve('error'));
    });
    if (state === 'filtered') return;
  }
}

const results = [];
const sentAt = [];
for (const [open, close] of pairs) {
  const start = performance.now();
  sentAt.push(Date.now());
  await send(open);
  results.push(await timeToOpen(start));
  await send(close);
  await waitFiltered();
}
udp.close();
process.stdout.write(`${JSON.stringify({ results, sentAt })}\n`);
