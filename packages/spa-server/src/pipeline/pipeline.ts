/** The packet path, wired in the order of docs/protocol.md §7: cheap checks on receipt, the rest from a bounded queue. @module */
import { type IpAddress, parseAddress, precheckDatagram, unmapAddress } from 'spa-protocol';
import type { GrantKeeper } from '../grants.js';
import type { DaemonLog } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { ReplayStore } from '../replay-store.js';
import { admitKnock } from './admit.js';
import { authenticate } from './authenticate.js';
import type { ClientLimiter } from './client-limiter.js';
import { commitKnock } from './commit.js';
import { applyPolicy } from './policy.js';
import type { RateLimiter } from './rate-limiter.js';
import type { KnockRefusal } from './reasons.js';
import type { Runtime } from './runtime.js';
import { createWorkQueue } from './work-queue.js';

export interface PipelineDeps {
  /** Read once per datagram, so a reload swaps keys and policy between two datagrams, never inside one. */
  readonly runtime: () => Runtime;
  readonly limiter: RateLimiter;
  /** Per-client buckets, after the signature and policy. */
  readonly clientLimiter: ClientLimiter;
  readonly replay: ReplayStore;
  readonly grants: GrantKeeper;
  readonly log: DaemonLog;
  readonly metrics: Metrics;
  readonly clock: () => number;
  readonly queueSize: number;
}

export interface Pipeline {
  /** The socket's message handler: synchronous, one HMAC at most, never throws. */
  receive(data: Uint8Array, address: string, port: number): void;
  setQueueSize(size: number): void;
  /** Resolves when the queue is empty and every accepted knock has reached the firewall (tests, stop). */
  idle(): Promise<void>;
  close(): void;
}

interface Queued {
  readonly data: Uint8Array;
  readonly source: IpAddress;
  readonly srcPort: number;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  const { runtime, limiter, clientLimiter, replay, grants, log, metrics, clock } = deps;
  const inFlight = new Set<Promise<void>>();

  const refuse = (reason: KnockRefusal, src: string, srcPort: number, client?: string): void => {
    metrics.refuse(reason);
    log.refusal({ reason, src, srcPort, client });
  };

  const work = (item: Queued): void => {
    const rt = runtime();
    const now = clock();
    const src = item.source.text;
    const auth = authenticate(rt, replay, item.data, now);
    if (!auth.ok) {
      refuse(auth.reason, src, item.srcPort); // not authenticated yet: no client name (see authenticate)
      return;
    }
    const policy = applyPolicy(auth.knock, auth.client, item.source, rt.limits, now);
    if (!policy.ok) {
      refuse(policy.reason, src, item.srcPort, auth.client.name);
      return;
    }
    const refused = admitKnock(clientLimiter, replay, auth.knock, auth.client);
    if (refused) {
      refuse(refused, src, item.srcPort, auth.client.name);
      return;
    }
    const done = commitKnock(
      { replay, grants, log, metrics },
      { src, srcPort: item.srcPort },
      auth.client,
      policy.decision,
    );
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };

  const queue = createWorkQueue<Queued>({
    capacity: deps.queueSize,
    handle: work,
    onError: (error) =>
      // A bug, not bad input: every input path returns a refusal. Logged so it can be fixed, never fatal.
      log.event('error', 'pipeline.error', { error: error instanceof Error ? error.message : String(error) }),
  });

  return {
    receive(data, address, port) {
      metrics.count('received');
      const reason = precheckDatagram(runtime().ctx, data); // §7 1–5
      if (reason) return refuse(reason, address, port);
      const parsed = parseAddress(address);
      if (!parsed) return refuse('malformed', address, port);
      const source = unmapAddress(parsed);
      if (!limiter.allow(source)) return refuse('rate-limited', source.text, port);
      if (!queue.push({ data, source, srcPort: port })) return refuse('queue-full', source.text, port);
    },
    setQueueSize: (size) => queue.setCapacity(size),
    async idle() {
      await queue.idle();
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    close: () => queue.close(),
  };
}
