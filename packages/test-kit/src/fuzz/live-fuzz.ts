/** A live fuzz run: a real spa-server in a lab, a corpus of hostile datagrams from another namespace, then what the server did. @module */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentPath } from '../agents/agent-path.js';
import { createLab, type Lab } from '../lab/netns.js';
import { probeTcp, waitForTcp } from '../lab/probe.js';
import { readRssKiB, type ScrapedMetrics, waitForDrain } from '../processes/server-observe.js';
import {
  KNOCK_PORT,
  SERVER_BIN,
  type ServerProcess,
  startServerProcess,
} from '../processes/server-process.js';
import { type CorpusSummary, writeCorpus } from './fuzz-corpus.js';
import { createFuzzer } from './fuzz-datagrams.js';

const SENDER = agentPath('fuzz-sender.mjs');
const TCP_SERVICE = agentPath('tcp-service.mjs');
const SERVICE_PORT = 2222;
const METRICS = { address: '127.0.0.1', port: 9262 };

export interface LiveFuzzOptions {
  /** Datagrams to send in the main pass. */
  readonly count: number;
  /** Distinct datagrams generated (the sender cycles through them); default min(count, 250,000). */
  readonly corpusSize?: number;
  readonly seed?: number;
  /** Upper bound on the main pass's sending time. */
  readonly maxSeconds: number;
  /** Datagrams per second; default: as fast as the socket takes them (the kernel drops what the server cannot read). */
  readonly rate?: number;
  /** Datagrams sent before the memory baseline, so start-up allocation is not counted as growth. */
  readonly warmup?: number;
  /**
   * Caps the server's V8 old generation (MiB). RSS alone cannot tell a leak from a heap that V8 is in
   * no hurry to collect; under a small cap a leak ends in an out-of-memory crash, lazy garbage does not.
   */
  readonly serverHeapMiB?: number;
  readonly log?: (line: string) => void;
}

export interface LiveFuzzResult {
  readonly seed: number;
  readonly corpus: CorpusSummary;
  readonly sent: number;
  readonly sendErrors: number;
  /** Datagrams the server answered (must be 0). */
  readonly answered: number;
  readonly sendSeconds: number;
  /** Counters after the main pass, minus those after the warm-up. */
  readonly metrics: ScrapedMetrics;
  readonly rssKiB: { readonly start: number; readonly afterWarmup: number; readonly end: number };
  /** RSS every second of the main pass: flat or saw-toothed is fine, a steady climb is a leak. */
  readonly rssSamplesKiB: readonly number[];
  /** status --json grants after the fuzz (must be []). */
  readonly grantsAfter: readonly unknown[];
  readonly acceptedLines: number;
  readonly errorLines: readonly Record<string, unknown>[];
  readonly serverAlive: boolean;
  /** Milliseconds from a legit knock after the fuzz to the port answering; undefined if it never did. */
  readonly legitOpenMs: number | undefined;
}

/** Runs everything in a fresh lab and removes it afterwards, whatever happens. */
export async function runLiveFuzz(options: LiveFuzzOptions): Promise<LiveFuzzResult> {
  const say = options.log ?? (() => {});
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const lab: Lab = await createLab(['server', 'fuzzer', 'client']);
  const dir = await mkdtemp(join(tmpdir(), 'spa-fuzz-'));
  let server: ServerProcess | undefined;
  const service = lab
    .host('server')
    .exec(process.execPath, [TCP_SERVICE, String(SERVICE_PORT)], { reject: false });
  try {
    server = await startServerProcess({
      host: lab.host('server'),
      backend: 'nftables',
      services: { ssh: `tcp/${SERVICE_PORT}`, web: ['tcp/8080', 'tcp/8443'] },
      ...(options.serverHeapMiB
        ? { wrapper: ['env', `NODE_OPTIONS=--max-old-space-size=${options.serverHeapMiB}`] }
        : {}),
      config: {
        // Out of the way, so the deep checks are what is exercised (the flood test covers the limiter).
        // The per-client bucket too: every deep datagram carries alice's tag and mac2, so it would spend hers.
        rateLimit: {
          perSourceRate: 100_000,
          perSourceBurst: 100_000,
          perClientRate: 100_000,
          perClientBurst: 100_000,
        },
        queueSize: 8192,
        // The daemon's parser is what is fuzzed: the kernel's knock gate would drop most of the corpus
        // (unknown tags, impossible lengths) before it. The gate has tests of its own (test/knock-gate.test.ts).
        firewall: { backend: 'nftables', table: 'spa_e2e', knockGate: false },
        // The corpus is dated when generated; a long run must not turn its forgeries stale.
        timestampWindow: 3600,
        metrics: { listen: `${METRICS.address}:${METRICS.port}` },
      },
    });
    const alice = server.clients[0]!;
    const fuzzer = createFuzzer(
      {
        serverPublicKey: server.serverPublicKeyBytes,
        clientSecretKey: alice.secretKey,
        clientPublicKey: alice.publicKey,
      },
      { seed, nowMs: Date.now() },
    );
    const size = options.corpusSize ?? Math.min(options.count, 250_000);
    say(`fuzz: seed ${seed}, generating ${size} datagrams`);
    const corpus = await writeCorpus(join(dir, 'corpus.bin'), fuzzer, size);
    const rssStart = await readRssKiB(server.pid);

    const send = async (count: number, offset: number, seconds: number) => {
      const cfg = {
        corpus: corpus.path,
        to: lab.host('server').ipv4,
        port: KNOCK_PORT,
        count,
        durationMs: seconds * 1000,
        offset,
        rate: options.rate,
      };
      const { stdout } = await lab.host('fuzzer').exec(process.execPath, [SENDER, JSON.stringify(cfg)]);
      return JSON.parse(String(stdout)) as {
        sent: number;
        errors: number;
        answered: number;
        elapsedMs: number;
      };
    };
    const warmup = options.warmup ?? Math.min(20_000, Math.ceil(options.count / 20));
    const warm = await send(warmup, 0, 60);
    const before = await waitForDrain(lab.host('server'), METRICS.address, METRICS.port);
    const rssWarm = await readRssKiB(server.pid);
    say(`fuzz: warm-up ${warm.sent} sent, RSS ${rssStart} → ${rssWarm} KiB; sending ${options.count}`);

    const rssSamples: number[] = [];
    const sampler = setInterval(() => {
      void readRssKiB(server!.pid).then(
        (kib) => rssSamples.push(kib),
        () => {},
      );
    }, 1000);
    const main = await send(options.count, warmup, options.maxSeconds).finally(() => clearInterval(sampler));
    const after = await waitForDrain(lab.host('server'), METRICS.address, METRICS.port, 120_000);
    const rssEnd = await readRssKiB(server.pid);
    say(`fuzz: ${main.sent} sent in ${(main.elapsedMs / 1000).toFixed(1)} s, RSS ${rssEnd} KiB`);

    const status = await lab
      .host('server')
      .exec(SERVER_BIN, ['status', '--json', '--config', server.configPath]);
    const grantsAfter = (JSON.parse(String(status.stdout)) as { grants: unknown[] }).grants;
    const logs = server.logs();
    const serverAlive = await probeAlive(server.pid);

    // A legit client from a third address: the server must still do its job.
    const client = lab.host('client');
    const beforeKnock = await probeTcp(client, lab.host('server').ipv4, SERVICE_PORT);
    const t0 = Date.now();
    await server.send(client, server.knock());
    const state = await waitForTcp(client, lab.host('server').ipv4, SERVICE_PORT, 'open', 5000);
    const legitOpenMs = beforeKnock === 'filtered' && state === 'open' ? Date.now() - t0 : undefined;

    return {
      seed,
      corpus,
      sent: main.sent,
      sendErrors: main.errors,
      answered: warm.answered + main.answered,
      sendSeconds: main.elapsedMs / 1000,
      metrics: difference(after, before),
      rssKiB: { start: rssStart, afterWarmup: rssWarm, end: rssEnd },
      rssSamplesKiB: rssSamples,
      grantsAfter,
      acceptedLines: logs.filter((l) => l.event === 'knock.accepted').length,
      errorLines: logs.filter((l) => l.level === 'error' || l.event === 'non-json'),
      serverAlive,
      legitOpenMs,
    };
  } finally {
    service.kill();
    await server?.cleanup();
    await lab.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

async function probeAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function difference(after: ScrapedMetrics, before: ScrapedMetrics): ScrapedMetrics {
  const refused: Record<string, number> = {};
  for (const [reason, n] of Object.entries(after.refused)) {
    const d = n - (before.refused[reason] ?? 0);
    if (d > 0) refused[reason] = d;
  }
  return {
    ...after,
    received: after.received - before.received,
    accepted: after.accepted - before.accepted,
    closed: after.closed - before.closed,
    grants: after.grants - before.grants,
    firewallFailures: after.firewallFailures - before.firewallFailures,
    logSuppressed: after.logSuppressed - before.logSuppressed,
    refused,
    refusedTotal: after.refusedTotal - before.refusedTotal,
  };
}
