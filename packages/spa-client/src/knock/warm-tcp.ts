/** Runs the TCP connect path once over loopback before a knock, so the probes after it run warm. @module */
import { createServer } from 'node:net';
import { attemptTcp } from './tcp-attempt.js';

/** A warm-up that takes longer than this is abandoned: it is an optimisation, never a wait. */
const WARM_UP_LIMIT_MS = 50;

/**
 * The first connection attempt of a process costs a few ms of CPU the later ones do not (Node's
 * socket, stream and abort-signal code runs for the first time), and so does the first `connect`
 * event. Paid after the knock, that time falls between the grant and the connection; paid here it
 * does not. A listener on the loopback address of the target's family, port chosen by the system,
 * lives for this one connection; nothing leaves the machine. Any failure (no loopback, a sandbox)
 * just leaves the path cold.
 */
export async function warmTcpPath(family: 4 | 6): Promise<void> {
  const host = family === 4 ? '127.0.0.1' : '::1';
  const server = createServer((socket) => socket.destroy());
  try {
    const port = await new Promise<number | undefined>((resolve) => {
      server.once('error', () => resolve(undefined));
      server.listen({ host, port: 0, backlog: 1 }, () => {
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : undefined);
      });
    });
    if (port === undefined) return;
    const signal = new AbortController().signal;
    const result = await attemptTcp(host, port, WARM_UP_LIMIT_MS, signal);
    if (result.state === 'open') result.socket.destroy();
  } finally {
    server.close();
  }
}
