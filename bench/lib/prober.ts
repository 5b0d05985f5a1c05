/** Drives prober-agent.mjs, a long-lived process in the client namespace, over JSON lines. @module */
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ResultPromise } from 'execa';
import type { Host } from 'spa-test-kit/lab/netns';

const AGENT = fileURLToPath(new URL('./prober-agent.mjs', import.meta.url));

export interface KnockProbe {
  /** Source address for the knock and for every TCP attempt. */
  readonly from: string;
  readonly packet: Uint8Array;
  readonly to: string;
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly timeoutMs: number;
  /** Time between TCP connection attempts: the resolution of the latency figure. */
  readonly intervalMs: number;
}

export interface KnockOutcome {
  /** epochMs just before the datagram was handed to the kernel. */
  readonly sentAt: number;
  /** epochMs of the first completed TCP handshake, or null if none within timeoutMs. */
  readonly openAt: number | null;
  readonly latencyMs: number | null;
}

export interface BurstOutcome {
  readonly sent: number;
  readonly firstSentAt: number;
  readonly lastSentAt: number;
}

export interface Prober {
  knock(probe: KnockProbe): Promise<KnockOutcome>;
  /** Sends each packet from its own address, paced at ratePerS (0: back to back). */
  burst(
    items: readonly { from: string; packet: Uint8Array }[],
    to: string,
    udpPort: number,
    ratePerS: number,
  ): Promise<BurstOutcome>;
  /** Sends every packet once from one socket bound to `from`, back to back. */
  send(from: string, packets: readonly Uint8Array[], to: string, udpPort: number): Promise<BurstOutcome>;
  close(): Promise<void>;
}

/** Starts the agent inside `host` and waits until it is ready. */
export async function startProber(host: Host): Promise<Prober> {
  const agent: ResultPromise = host.exec(process.execPath, [AGENT], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'inherit',
    buffer: false,
    reject: false,
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let ready: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => {
    ready = resolve;
  });
  createInterface({ input: agent.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line) as { id: number; result?: unknown; error?: string };
    if (msg.id === 0) return ready();
    const w = waiting.get(msg.id);
    waiting.delete(msg.id);
    if (msg.error !== undefined) w?.reject(new Error(`prober: ${msg.error}`));
    else w?.resolve(msg.result);
  });
  void agent.then(() => {
    for (const w of waiting.values()) w.reject(new Error('prober exited'));
    waiting.clear();
  });
  const call = <T>(req: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      agent.stdin!.write(`${JSON.stringify({ ...req, id })}\n`);
    });
  await readyPromise;
  return {
    knock: (p) => call<KnockOutcome>({ op: 'knock', ...p, packet: Buffer.from(p.packet).toString('base64') }),
    burst: (items, to, udpPort, ratePerS) =>
      call<BurstOutcome>({
        op: 'burst',
        items: items.map((i) => ({ from: i.from, packet: Buffer.from(i.packet).toString('base64') })),
        to,
        udpPort,
        ratePerS,
      }),
    send: (from, packets, to, udpPort) =>
      call<BurstOutcome>({
        op: 'send',
        from,
        packets: packets.map((p) => Buffer.from(p).toString('base64')),
        to,
        udpPort,
      }),
    async close() {
      agent.stdin!.end();
      agent.kill('SIGTERM');
      await agent.catch(() => {});
    },
  };
}
