/**
 * Rough figures for spa-server in a lab: knock → TCP port open latency, and junk datagrams refused per
 * CPU-second of the daemon. Run as root: node --conditions=source --import tsx test/perf/measure-server.ts [nftables|iptables]
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLab } from '../lib/netns.js';
import { startServerProcess } from '../lib/server-process.js';

const backend = (process.argv[2] ?? 'nftables') as 'nftables' | 'iptables';
const KNOCKS = Number(process.env.KNOCKS ?? 40);
const JUNK = Number(process.env.JUNK ?? 200_000);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const TCP_SERVICE = here('../lib/tcp-service.mjs');

const cpuSeconds = (pid: number): number => {
  // /proc/PID/stat fields 14 and 15: utime and stime in clock ticks (100 Hz on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

const lab = await createLab(['server', 'client']);
try {
  const server = lab.host('server');
  const client = lab.host('client');
  const service = server.exec(process.execPath, [TCP_SERVICE, '2222'], { reject: false });
  const spa = await startServerProcess({
    host: server,
    backend,
    config: {
      defaultDuration: 30,
      ...(process.env.STATE_DIR ? { stateDir: process.env.STATE_DIR } : {}),
      log: { level: 'info', refusalsPerSecond: 10 },
      metrics: { listen: `${server.ipv4}:9262` },
      rateLimit: { perSourceRate: 1000, perSourceBurst: 1000, maxSources: 65536 },
    },
  });
  try {
    const lines = Array.from({ length: KNOCKS }, () => {
      const open = Buffer.from(spa.knock()).toString('hex');
      const close = Buffer.from(spa.knock({ kind: 'close' })).toString('hex');
      return `${open} ${close}`;
    }).join('\n');
    const run = await client.exec(
      process.execPath,
      [here('knock-latency.mjs'), server.ipv4, '62201', '2222'],
      {
        input: lines,
      },
    );
    const out = JSON.parse(String(run.stdout)) as { results: (number | null)[]; sentAt: number[] };
    const ms = out.results.filter((x): x is number => x !== null);
    // The daemon's own view: datagram sent → knock.accepted logged (after fdatasync and the firewall's ack).
    const acceptedAt = spa
      .logs()
      .filter((l) => l.event === 'knock.accepted')
      .map((l) => Date.parse(String(l.ts)));
    const serverMs = acceptedAt.map((t, i) => t - (out.sentAt[i] ?? t));
    console.log(
      `${backend}: knock sent → knock.accepted logged: median ${pct(serverMs, 0.5)} ms, p95 ${pct(serverMs, 0.95)} ms (1 ms resolution)`,
    );
    console.log(
      `${backend}: knock → TCP open over ${ms.length}/${KNOCKS} knocks: median ${pct(ms, 0.5).toFixed(2)} ms, p95 ${pct(ms, 0.95).toFixed(2)} ms, min ${Math.min(...ms).toFixed(2)} ms`,
    );

    // Junk shaped like a knock (version 1, valid length), so each one costs the daemon a full HMAC.
    const junk = crypto.getRandomValues(new Uint8Array(228));
    junk.set([1, 0, 0, 0]);
    const metrics = async () => {
      const r = await server.exec(process.execPath, [
        '-e',
        `fetch('http://${server.ipv4}:9262/metrics').then(r=>r.text()).then(t=>process.stdout.write(t))`,
      ]);
      const text = String(r.stdout);
      const get = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      return {
        received: get('spa_datagrams_received_total'),
        badMac: get('spa_knocks_refused_total\\{reason="bad-mac"\\}'),
      };
    };
    const before = await metrics();
    const cpu0 = cpuSeconds(spa.pid);
    const flood = await client.exec(process.execPath, [
      here('flood.mjs'),
      server.ipv4,
      '62201',
      String(JUNK),
      Buffer.from(junk).toString('hex'),
    ]);
    await new Promise((r) => setTimeout(r, 500));
    const cpu1 = cpuSeconds(spa.pid);
    const after = await metrics();
    const refused = after.badMac - before.badMac;
    const sent = JSON.parse(String(flood.stdout)) as { sent: number; seconds: number };
    console.log(
      `${backend}: junk flood: sent ${sent.sent} in ${sent.seconds.toFixed(2)} s, received ${after.received - before.received}, refused bad-mac ${refused}, daemon CPU ${(cpu1 - cpu0).toFixed(2)} s → ${Math.round(refused / (cpu1 - cpu0))} refusals per CPU-second (${((1e6 * (cpu1 - cpu0)) / refused).toFixed(2)} µs each)`,
    );
  } finally {
    await spa.cleanup();
    service.kill();
  }
} finally {
  await lab.destroy();
}
