// @ts-check
/** Sends a corpus file's datagrams to ADDRESS PORT as fast as the socket takes them, cycling, bounded in count and time. Run inside a lab namespace. @module */

import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';

// usage: fuzz-sender.mjs '{"corpus":FILE,"to":ADDRESS,"port":N,"count":N,"durationMs":N,"offset":N,"rate":N}'
// rate (datagrams/s, optional): without it the sender outruns any receiver and the kernel drops the excess.
// Corpus: records of a 4-byte big-endian length and that many bytes (fuzz/fuzz-corpus.ts).
/** @type {{ corpus: string, to: string, port: number, count: number, durationMs: number, offset?: number, rate?: number }} */
const cfg = JSON.parse(process.argv[2] ?? '{}');

/** Sends in flight at once: keeps the socket busy while bounding memory. */
const WINDOW = 256;

const bytes = readFileSync(cfg.corpus);
/** @type {Buffer[]} */
const pool = [];
for (let at = 0; at + 4 <= bytes.length; ) {
  const length = bytes.readUInt32BE(at);
  pool.push(bytes.subarray(at + 4, at + 4 + length));
  at += 4 + length;
}
if (pool.length === 0) {
  process.stderr.write('fuzz-sender: empty corpus\n');
  process.exit(64);
}

const socket = createSocket(cfg.to.includes(':') ? 'udp6' : 'udp4');
let answered = 0;
// The server must never answer; anything arriving here is counted and reported.
socket.on('message', () => answered++);
socket.on('error', () => {});
socket.bind(0, () => {
  const start = performance.now();
  const deadline = start + cfg.durationMs;
  let queued = 0;
  let done = 0;
  let errors = 0;
  let stopped = false;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    const elapsedMs = performance.now() - start;
    // A last moment for a (forbidden) answer to arrive before the socket closes.
    setTimeout(() => {
      process.stdout.write(`${JSON.stringify({ sent: done - errors, errors, answered, elapsedMs })}\n`);
      socket.close();
    }, 100);
  };
  /** @param {Error | null} error */
  const onSent = (error) => {
    done++;
    if (error) errors++;
    if (stopped) {
      if (done === queued) finish();
    } else pump();
  };
  let waiting = false;
  const pump = () => {
    if (stopped) return;
    while (queued - done < WINDOW) {
      if (queued >= cfg.count || (queued % 64 === 0 && performance.now() >= deadline)) {
        stopped = true;
        if (done === queued) finish();
        return;
      }
      if (cfg.rate && queued >= ((performance.now() - start) * cfg.rate) / 1000) {
        // Ahead of the pace: come back in a millisecond (one timer, however many sends complete).
        if (!waiting) {
          waiting = true;
          setTimeout(() => {
            waiting = false;
            pump();
          }, 1);
        }
        return;
      }
      const datagram = pool[(queued + (cfg.offset ?? 0)) % pool.length];
      socket.send(/** @type {Buffer} */ (datagram), cfg.port, cfg.to, onSent);
      queued++;
    }
  };
  pump();
});
