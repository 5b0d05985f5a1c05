/** Floods from one source, bounded (5 s, 2 sender processes, lab only): a legit client elsewhere still gets in, because the kernel and then the daemon limit each source. */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { writeCorpus } from 'spa-test-kit/fuzz/fuzz-corpus';
import { createFuzzer, type FuzzWeights } from 'spa-test-kit/fuzz/fuzz-datagrams';
import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { CLIENT_BIN } from 'spa-test-kit/processes/client-process';
import { type ScrapedMetrics, scrapeMetrics } from 'spa-test-kit/processes/server-observe';
import { KNOCK_PORT, type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SENDER = agentPath('fuzz-sender.mjs');
const TCP_SERVICE = agentPath('tcp-service.mjs');
const PORT = 2222;
const METRICS = { address: '127.0.0.1', port: 9262 };
const FLOOD_SECONDS = 5;
const SENDERS = 2;
// The daemon's defaults: 5 datagrams/s per source after mac1, a burst of 10; the kernel's limit in
// front of the socket is 20 times that, at least 100/s with a burst of 200 (firewall/knock-limit.ts).
const RATE = 5;
const BURST = 10;
const KERNEL_RATE = 100;
const KERNEL_BURST = 200;

interface FloodOutcome {
  readonly knock: Awaited<ResultPromise>;
  readonly openedAfterMs: number;
  readonly sent: number;
  readonly received: number;
  readonly accepted: number;
  readonly refused: Record<string, number>;
}

describe.each(['nftables', 'iptables'] as const)('floods from one source (%s)', (backend) => {
  let lab: Lab;
  let server: ServerProcess;
  let dir: string;
  let service: ResultPromise;

  beforeAll(async () => {
    lab = await createLab(['server', 'flooder', 'alice', 'alice2']);
    dir = await mkdtemp(join(tmpdir(), 'spa-flood-'));
    service = lab.host('server').exec(process.execPath, [TCP_SERVICE, String(PORT)], { reject: false });
    server = await startServerProcess({
      host: lab.host('server'),
      backend,
      services: { ssh: `tcp/${PORT}` },
      config: { metrics: { listen: `${METRICS.address}:${METRICS.port}` } },
    });
  });
  afterAll(async () => {
    service?.kill();
    await server?.cleanup();
    await lab?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const metrics = (): Promise<ScrapedMetrics> =>
    scrapeMetrics(lab.host('server'), METRICS.address, METRICS.port);

  /** Floods for FLOOD_SECONDS from `flooder` while `who` runs `spa-client open --wait` (4 s at most). */
  async function floodWhileKnocking(weights: Partial<FuzzWeights>, who: Host): Promise<FloodOutcome> {
    const alice = server.clients[0]!;
    const fuzzer = createFuzzer(
      {
        serverPublicKey: server.serverPublicKeyBytes,
        clientSecretKey: alice.secretKey,
        clientPublicKey: alice.publicKey,
      },
      { seed: 7, nowMs: Date.now(), weights },
    );
    const corpus = await writeCorpus(join(dir, `${Object.keys(weights).join('-')}.bin`), fuzzer, 4096);
    const before = await metrics();
    const cfg = {
      corpus: corpus.path,
      to: lab.host('server').ipv4,
      port: KNOCK_PORT,
      count: 1e8,
      durationMs: FLOOD_SECONDS * 1000,
    };
    const floods = Array.from({ length: SENDERS }, (_, i) =>
      lab.host('flooder').exec(process.execPath, [SENDER, JSON.stringify({ ...cfg, offset: i * 2048 })]),
    );
    await new Promise((r) => setTimeout(r, 1000)); // the flood is in full swing
    const t0 = Date.now();
    const knock = await who.exec(
      CLIENT_BIN,
      [
        'open',
        `tcp/${PORT}`,
        '--host',
        lab.host('server').ipv4,
        '--server-key',
        server.serverPublicKey,
        '--key',
        alice.keyFile,
        '--wait',
        '--timeout',
        '4',
        '--json',
      ],
      { reject: false },
    );
    const openedAfterMs = Date.now() - t0;
    const reports = (await Promise.all(floods)).map(
      (f) => JSON.parse(String(f.stdout)) as { sent: number; answered: number },
    );
    expect(reports.every((r) => r.answered === 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 300)); // the queue drains
    const after = await metrics();
    const refused: Record<string, number> = {};
    for (const [k, v] of Object.entries(after.refused)) refused[k] = v - (before.refused[k] ?? 0);
    return {
      knock,
      openedAfterMs,
      sent: reports.reduce((a, r) => a + r.sent, 0),
      received: after.received - before.received,
      accepted: after.accepted - before.accepted,
      refused,
    };
  }

  /**
   * What one source may get past the kernel during the flood. nftables' limit is exact: its burst plus
   * its rate. iptables' hashlimit counts credit per jiffy and lets through several times its rate
   * under a flood (2,000–3,000 in 6 s were seen), so there the check is that the kernel dropped
   * at least 99% of the flood; without any kernel limit the daemon read about a fifth of it.
   */
  const kernelAllows = (sent: number): number =>
    backend === 'nftables' ? KERNEL_BURST + KERNEL_RATE * (FLOOD_SECONDS + 1) + 10 : sent / 100;

  // The junk flood once (nftables): what differs between the backends is the kernel limit, which the
  // informed flood below checks for both.
  const junkIt = backend === 'nftables' ? it : () => {};
  junkIt(
    'a junk flood (random bytes, some shaped like knocks): a legit client gets in while it runs',
    async () => {
      const r = await floodWhileKnocking({ random: 1 }, lab.host('alice'));
      expect(r.knock.exitCode, String(r.knock.stderr)).toBe(0);
      expect(JSON.parse(String(r.knock.stdout))).toMatchObject({ wait: { opened: true } });
      expect(r.openedAfterMs).toBeLessThan(FLOOD_SECONDS * 1000 - 1000); // while the flood still ran
      expect(r.sent).toBeGreaterThan(50_000); // a real flood, not a trickle
      expect(r.received).toBeLessThanOrEqual(kernelAllows(r.sent));
      // None of it cost a key exchange: junk is refused before the queue.
      expect(r.refused['decrypt-failed'] ?? 0).toBe(0);
      expect(r.accepted).toBeGreaterThanOrEqual(1);
      console.info(
        `${backend} junk flood: ${r.sent} sent, the daemon read ${r.received}; port open after ${r.openedAfterMs} ms`,
      );
    },
  );

  it('an informed flood (valid mac1, well-formed, forged signatures): held per source, a legit client gets in while it runs', async () => {
    const r = await floodWhileKnocking({ forged: 1 }, lab.host('alice2'));
    expect(r.knock.exitCode, String(r.knock.stderr)).toBe(0);
    expect(r.openedAfterMs).toBeLessThan(FLOOD_SECONDS * 1000 - 1000);
    expect(r.sent).toBeGreaterThan(50_000);
    // The kernel lets one source's burst and rate through; the daemon's bucket holds most of that back,
    // so only its burst plus its rate ever reach the signature check.
    expect(r.received).toBeLessThanOrEqual(kernelAllows(r.sent));
    expect(r.refused['rate-limited']).toBeGreaterThan(KERNEL_BURST);
    expect(r.refused['bad-signature'] ?? 0).toBeGreaterThan(0);
    expect(r.refused['bad-signature'] ?? 0).toBeLessThanOrEqual(BURST + RATE * (FLOOD_SECONDS + 2));
    expect(r.accepted).toBeGreaterThanOrEqual(1);
    console.info(
      `${backend} informed flood: ${r.sent} sent, the daemon read ${r.received}, ${r.refused['rate-limited']} rate-limited, ` +
        `${r.refused['bad-signature']} signatures checked; port open after ${r.openedAfterMs} ms`,
    );
  });
});
