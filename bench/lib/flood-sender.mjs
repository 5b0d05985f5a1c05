// @ts-check
/** Junk UDP generator, run inside a lab namespace: sends until a count, a time limit or stdin closes. @module */
import { randomBytes, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';

/**
 * @typedef {{ to: string, port: number, count: number, durationMs: number,
 *   payload: 'random' | 'base64' | 'pool', minLen: number, maxLen: number,
 *   poolFile?: string, sources?: string[] }} FloodConfig
 */

/** Distinct datagrams cycled through: generating randomness per send would cap the rate, not the server. */
const POOL_SIZE = 4096;
/** Sends in flight at once: enough to keep the socket busy, few enough to bound memory. */
const WINDOW = 256;
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** @type {FloodConfig} */
const cfg = JSON.parse(process.argv[2] ?? '{}');

/** @param {number} len */
function junk(len) {
  if (cfg.payload === 'random') return randomBytes(len);
  // Text in the base64 alphabet passes the cheap "is this base64?" checks and costs the server an HMAC.
  const bytes = randomBytes(len);
  for (let i = 0; i < len; i++) bytes[i] = BASE64.charCodeAt((bytes[i] ?? 0) & 63);
  return bytes;
}

/**
 * Prepared datagrams (e.g. forged knocks) from a file of records, each a 2-byte big-endian length and
 * the bytes, written by flood.ts.
 * @param {string} file
 */
function readPool(file) {
  const data = readFileSync(file);
  const out = [];
  for (let at = 0; at + 2 <= data.length; ) {
    const len = data.readUInt16BE(at);
    out.push(data.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  if (out.length === 0) throw new Error(`no datagrams in ${file}`);
  return out;
}

/** @param {string | undefined} address @returns {Promise<import('node:dgram').Socket>} */
function openSocket(address) {
  const socket = createSocket('udp4');
  socket.on('error', () => {});
  return new Promise((resolve) => {
    // Bound to one of the host's alias addresses: each is a distinct source to the server's rate limiter.
    const connect = () => socket.connect(cfg.port, cfg.to, () => resolve(socket));
    if (address === undefined) connect();
    else socket.bind({ address, port: 0 }, connect);
  });
}

const pool =
  cfg.payload === 'pool' && cfg.poolFile
    ? readPool(cfg.poolFile)
    : Array.from({ length: POOL_SIZE }, () => junk(randomInt(cfg.minLen, cfg.maxLen + 1)));
const sockets = await Promise.all((cfg.sources?.length ? cfg.sources : [undefined]).map(openSocket));

let queued = 0;
let sent = 0;
let errors = 0;
let stopped = false;
const start = performance.now();
const deadline = start + cfg.durationMs;
const finish = () => {
  const elapsedMs = performance.now() - start;
  process.stdout.write(`${JSON.stringify({ sent, errors, elapsedMs })}\n`);
  for (const s of sockets) s.close();
};
/** @param {Error | null} error */
const onSent = (error) => {
  if (error) errors++;
  else sent++;
  if (sent + errors === queued && stopped) finish();
  else if (!stopped) pump();
};
const pump = () => {
  while (queued - sent - errors < WINDOW) {
    if (queued >= cfg.count || (queued % 64 === 0 && performance.now() >= deadline)) {
      if (!stopped) {
        stopped = true;
        if (sent + errors === queued) finish();
      }
      return;
    }
    const socket = sockets[queued % sockets.length];
    socket?.send(pool[queued % pool.length] ?? Buffer.alloc(1), onSent);
    queued++;
  }
};
// The parent closes stdin to end the flood early (when the measurement it wraps is over).
process.stdin.on('end', () => {
  if (stopped) return;
  stopped = true;
  if (sent + errors === queued) finish();
});
process.stdin.resume();
pump();
