/** Junk UDP floods inside the lab, and what each junk datagram costs the server in CPU. @module */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Host, Lab } from 'spa-test-kit/lab/netns';
import { loadPrefix } from './affinity.js';
import { sleep } from './clock.js';
import { readCpuTimes } from './cpu-mem.js';
import { diffUdpCounters, readUdpCounters, type UdpCounters } from './udp-counters.js';

const SENDER = fileURLToPath(new URL('./flood-sender.mjs', import.meta.url));

/** random bytes, base64 text, or prepared datagrams from `poolFile` (see writeDatagramPool). */
export type JunkPayload = 'random' | 'base64' | 'pool';

export interface FloodOptions {
  readonly lab: Lab;
  /** Namespace the generators run in. */
  readonly source: Host;
  /** Destination: must be an address of a host of `lab`. */
  readonly to: string;
  readonly port: number;
  /** Hard bounds: the flood stops at whichever comes first (or earlier, see measureJunkCost). */
  readonly maxCount: number;
  readonly maxDurationMs: number;
  readonly payload: JunkPayload;
  readonly minLen: number;
  readonly maxLen: number;
  /** Generator processes; more than one only helps while a core is left for the server. */
  readonly processes: number;
  /** CPUs for the generators (taskset list); see affinity.ts. */
  readonly cpus: string | undefined;
  /** For payload 'pool': the file writeDatagramPool wrote. */
  readonly poolFile?: string;
  /** Local addresses of `source` to send from in turn (one socket each); default: its main address. */
  readonly sources?: readonly string[];
}

export interface FloodResult {
  readonly sent: number;
  readonly errors: number;
  readonly elapsedMs: number;
  readonly ratePerS: number;
}

export interface Flood {
  /** Ends the flood early; `done` then resolves with what was sent. */
  stop(): void;
  readonly done: Promise<FloodResult>;
}

/** Writes datagrams for payload 'pool': each as a 2-byte big-endian length and its bytes. */
export async function writeDatagramPool(file: string, datagrams: readonly Uint8Array[]): Promise<void> {
  const chunks: Uint8Array[] = [];
  for (const d of datagrams) {
    const len = new Uint8Array(2);
    new DataView(len.buffer).setUint16(0, d.length);
    chunks.push(len, d);
  }
  await writeFile(file, Buffer.concat(chunks));
}

/** Starts the generators. Refuses any destination that is not inside the lab. */
export function startFlood(o: FloodOptions): Flood {
  const inLab = Object.values(o.lab.hosts).some((h) => h.ipv4 === o.to || h.ipv6 === o.to);
  if (!inLab) throw new Error(`flood target ${o.to} is not a host of lab ${o.lab.id}`);
  if (!(o.maxCount > 0 && o.maxDurationMs > 0 && o.maxDurationMs <= 120_000)) {
    throw new Error('a flood needs a positive count and a duration of at most two minutes');
  }
  const perProcess = Math.ceil(o.maxCount / o.processes);
  const config = {
    to: o.to,
    port: o.port,
    count: perProcess,
    durationMs: o.maxDurationMs,
    payload: o.payload,
    ...(o.poolFile === undefined ? {} : { poolFile: o.poolFile }),
    ...(o.sources === undefined ? {} : { sources: o.sources }),
  };
  const [file, ...args] = [
    ...loadPrefix(o.cpus),
    process.execPath,
    SENDER,
    JSON.stringify({ ...config, minLen: o.minLen, maxLen: o.maxLen }),
  ];
  const senders = Array.from({ length: o.processes }, () =>
    // Generous kill timeout: the sender itself stops at maxDurationMs.
    o.source.exec(file!, args, { stdin: 'pipe', timeout: o.maxDurationMs + 10_000 }),
  );
  const done = Promise.all(senders).then((results) => {
    const parsed = results.map((r) => JSON.parse(String(r.stdout)) as Omit<FloodResult, 'ratePerS'>);
    const sent = parsed.reduce((a, p) => a + p.sent, 0);
    const elapsedMs = Math.max(...parsed.map((p) => p.elapsedMs));
    return {
      sent,
      errors: parsed.reduce((a, p) => a + p.errors, 0),
      elapsedMs,
      ratePerS: (sent * 1000) / elapsedMs,
    };
  });
  // Marked handled now: a killed generator (Ctrl-C) must not crash the process before `done` is awaited.
  done.catch(() => {});
  return {
    stop: () => {
      for (const s of senders) s.stdin?.end();
    },
    done,
  };
}

export interface JunkCost<T> {
  readonly flood: FloodResult;
  /** Junk datagrams the server's socket delivered to it (read), legitimate knocks excluded. */
  readonly delivered: number;
  /** Datagrams the kernel dropped because the server's receive buffer was full. */
  readonly dropped: number;
  /** Server CPU (user + system, its own threads) over the flood, ms; 10 ms resolution. */
  readonly cpuMs: number;
  /** CPU of children the server ran and reaped meanwhile (fwknopd forks iptables per grant), ms. */
  readonly childrenCpuMs: number;
  /** cpuMs / delivered, in µs: the cost of reading and rejecting one junk datagram. */
  readonly cpuPerDatagramUs: number;
  readonly during: T;
}

/**
 * Floods the server, runs `during` (e.g. legitimate knocks) once the flood is under way, then ends the
 * flood, waits for the server to drain its socket, and divides its CPU time by the datagrams it read.
 * Kernel receive work (softirq) is not charged to the process and so is not in the figure.
 */
export async function measureJunkCost<T>(
  server: { pid: number; host: Host },
  flood: FloodOptions,
  during: () => Promise<{ value: T; datagrams: number }>,
  warmupMs = 300,
): Promise<JunkCost<T>> {
  const cpu0 = await readCpuTimes(server.pid);
  const udp0 = await readUdpCounters(server.host);
  const f = startFlood(flood);
  let legit = { value: undefined as T, datagrams: 0 };
  try {
    await sleep(warmupMs);
    legit = await during();
  } finally {
    f.stop();
  }
  const result = await f.done;
  const udp = diffUdpCounters(udp0, await _drained(server.host));
  const cpu1 = await readCpuTimes(server.pid);
  const delivered = udp.inDatagrams - legit.datagrams;
  const cpuMs = cpu1.ownMs - cpu0.ownMs;
  return {
    flood: result,
    delivered,
    dropped: udp.rcvbufErrors,
    cpuMs,
    childrenCpuMs: cpu1.childrenMs - cpu0.childrenMs,
    cpuPerDatagramUs: delivered > 0 ? (cpuMs * 1000) / delivered : Number.NaN,
    during: legit.value,
  };
}

/** Waits until the server has read everything queued (InDatagrams stops moving), at most 5 s. */
async function _drained(host: Host): Promise<UdpCounters> {
  let last = await readUdpCounters(host);
  for (let i = 0; i < 25; i++) {
    await sleep(200);
    const now = await readUdpCounters(host);
    if (now.inDatagrams === last.inDatagrams) return now;
    last = now;
  }
  return last;
}
