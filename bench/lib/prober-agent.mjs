// @ts-check
/** Long-lived agent in the client namespace: sends prepared knocks and times when the TCP port accepts. @module */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

/** Cap on connect attempts left hanging on a filtered port within one knock (one per interval). */
const MAX_PENDING = 2000;

const now = () => performance.timeOrigin + performance.now();

/**
 * @typedef {{ op: 'knock', id: number, packet: string, from: string, to: string, udpPort: number,
 *   tcpPort: number, timeoutMs: number, intervalMs: number }} KnockRequest
 * @typedef {{ op: 'burst', id: number, items: { from: string, packet: string }[], to: string,
 *   udpPort: number, ratePerS: number }} BurstRequest
 * @typedef {{ op: 'send', id: number, from: string, packets: string[], to: string, udpPort: number }} SendRequest
 */

/** @param {string} address */
function bindUdp(address) {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port: 0 }, () => resolve(socket));
  });
}

/**
 * Sends one knock from `from`, then opens a new TCP connection from `from` every `intervalMs` until one
 * completes. The port is DROPped until the grant, so earlier attempts hang; the first SYN-ACK marks the
 * grant. The figure is an upper bound: it includes up to one interval plus one round trip.
 * @param {KnockRequest} req
 */
async function knock(req) {
  /** @type {import('node:dgram').Socket} */
  const udp = await bindUdp(req.from);
  const payload = Buffer.from(req.packet, 'base64');
  /** @type {Set<import('node:net').Socket>} */
  const pending = new Set();
  return new Promise((resolve) => {
    let done = false;
    /** @type {NodeJS.Timeout | undefined} */
    let ticker;
    /** @type {NodeJS.Timeout | undefined} */
    let deadline;
    /** @param {number | null} openAt */
    const finish = (openAt) => {
      if (done) return;
      done = true;
      clearInterval(ticker);
      clearTimeout(deadline);
      for (const s of pending) s.destroy();
      udp.close();
      resolve({ sentAt, openAt, latencyMs: openAt === null ? null : openAt - sentAt });
    };
    const attempt = () => {
      if (done || pending.size >= MAX_PENDING) return;
      const s = connect({ host: req.to, port: req.tcpPort, localAddress: req.from });
      pending.add(s);
      s.once('connect', () => finish(now()));
      s.on('error', () => {
        pending.delete(s);
        s.destroy();
      });
    };
    // Taken immediately before the datagram is handed to the kernel: client start-up is not included.
    const sentAt = now();
    udp.send(payload, req.udpPort, req.to);
    attempt();
    ticker = setInterval(attempt, req.intervalMs);
    deadline = setTimeout(() => finish(null), req.timeoutMs);
  });
}

/**
 * Sends every item from its own source address, paced at ratePerS (0: as fast as the loop goes).
 * @param {BurstRequest} req
 */
async function burst(req) {
  /** @type {import('node:dgram').Socket[]} */
  const sockets = await Promise.all(req.items.map((item) => bindUdp(item.from)));
  const payloads = req.items.map((item) => Buffer.from(item.packet, 'base64'));
  let sent = 0;
  let acked = 0;
  const firstSentAt = now();
  await new Promise((resolve) => {
    const onSent = () => {
      if (++acked === payloads.length) resolve(undefined);
    };
    const pump = () => {
      const due =
        req.ratePerS > 0 ? Math.floor(((now() - firstSentAt) * req.ratePerS) / 1000) + 1 : payloads.length;
      while (sent < Math.min(due, payloads.length)) {
        sockets[sent]?.send(payloads[sent] ?? Buffer.alloc(0), req.udpPort, req.to, onSent);
        sent++;
      }
      if (sent < payloads.length) setTimeout(pump, 1);
    };
    pump();
  });
  const lastSentAt = now();
  for (const s of sockets) s.close();
  return { sent, firstSentAt, lastSentAt };
}

/**
 * Sends every packet from one socket bound to `from`, back to back, each once: for many knocks that carry
 * their addresses signed inside, where the sender's address does not matter (a socket per packet would not
 * scale to thousands).
 * @param {SendRequest} req
 */
async function send(req) {
  /** @type {import('node:dgram').Socket} */
  const udp = await bindUdp(req.from);
  const firstSentAt = now();
  const results = await Promise.all(
    req.packets.map(
      (p) =>
        new Promise((resolve) => udp.send(Buffer.from(p, 'base64'), req.udpPort, req.to, (e) => resolve(!e))),
    ),
  );
  const lastSentAt = now();
  udp.close();
  return { sent: results.filter(Boolean).length, firstSentAt, lastSentAt };
}

createInterface({ input: process.stdin }).on('line', async (line) => {
  /** @type {KnockRequest | BurstRequest | SendRequest} */
  const req = JSON.parse(line);
  try {
    const result =
      req.op === 'knock' ? await knock(req) : req.op === 'send' ? await send(req) : await burst(req);
    process.stdout.write(`${JSON.stringify({ id: req.id, result })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ id: req.id, error: String(error) })}\n`);
  }
});
process.stdout.write(`${JSON.stringify({ id: 0, result: 'ready' })}\n`);
