// @ts-check
/** The floor under figure 3b: CPU per datagram Node's own UDP receive path costs with an empty handler, on loopback. `pnpm bench:dgram-floor`. @module */
import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/*
 * Figure 3b's sniffed-tag flood costs spa-server ~11.4 µs of CPU per datagram it reads, against a
 * target of 10. This runs Node's receive path alone (a bound udp4 socket with a 4 MiB buffer, as the
 * daemon binds, and a 'message' handler that only counts) against the same 184-byte datagrams, so the
 * share the check itself costs can be read off. Flooded from another process for SECONDS; the CPU is
 * the receiver's own (user + system, process.cpuUsage) over the datagrams it read.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// The receiver is forked with the port on its command line: its own pid would give another.
const PORT = Number(process.argv[3] ?? 41_000 + (process.pid % 1000));
const OUT_DIR = process.env.BENCH_OUT ?? 'bench/results';

if (process.argv[2] === 'receiver') {
  const socket = createSocket('udp4');
  let read = 0;
  /** @type {NodeJS.CpuUsage | undefined} */
  let start;
  socket.on('message', () => {
    read++;
  });
  socket.bind(PORT, '127.0.0.1', () => {
    socket.setRecvBufferSize(4 << 20);
    process.send?.('ready');
  });
  process.on('message', (m) => {
    if (m === 'start') {
      read = 0;
      start = process.cpuUsage();
    } else if (m === 'stop') {
      const used = process.cpuUsage(start);
      process.send?.({ read, cpuUs: used.user + used.system });
      socket.close();
      process.disconnect?.();
    }
  });
} else {
  const rows = [];
  for (let run = 0; run < RUNS; run++) rows.push(await once());
  const perRead = rows.map((r) => r.cpuUs / r.read).sort((a, b) => a - b);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadAverage: loadavg(),
    runs: rows,
    cpuPerReadUsMedian: perRead[Math.floor(perRead.length / 2)],
  };
  console.log(
    `Node ${process.version}, empty 'message' handler, ${RUNS} runs of ${SECONDS} s, load ${loadavg()[0]?.toFixed(2)}`,
  );
  for (const r of rows)
    console.log(`  ${r.read} datagrams read, ${(r.cpuUs / r.read).toFixed(2)} µs CPU each`);
  console.log(`median: ${result.cpuPerReadUsMedian?.toFixed(2)} µs per datagram read`);
  mkdirSync(OUT_DIR, { recursive: true });
  const out = join(OUT_DIR, `${result.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}-dgram-floor.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

/** One receiver process, flooded for SECONDS; its reads and CPU. */
async function once() {
  const receiver = fork(new URL(import.meta.url).pathname, ['receiver', String(PORT)]);
  await new Promise((resolve) => receiver.once('message', resolve));
  const sender = createSocket('udp4');
  const datagram = Buffer.alloc(184, 7);
  receiver.send('start');
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) {
    for (let i = 0; i < 64; i++) sender.send(datagram, PORT, '127.0.0.1');
    await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  /** @type {Promise<{ read: number; cpuUs: number }>} */
  const answer = new Promise((resolve) => receiver.once('message', (m) => resolve(/** @type {any} */ (m))));
  receiver.send('stop');
  const result = await answer;
  sender.close();
  return result;
}
