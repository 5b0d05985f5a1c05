/** The packet path, wired in the order of docs/protocol.md §7: cheap checks on receipt, the rest from a bounded queue. @module */
import {
  type IpAddress,
  parseAddress,
  precheckDatagram,
  type Replayed,
  unmapAddress,
  verifyReplayed,
} from 'spa-protocol';
import type { ResolvedClient } from '../config/resolved-config.js';
import { type GrantKeeper, targetsFor } from '../grants/grant-keeper-api.js';
import type { DaemonLog } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { ReplayStore } from '../replay/replay-store.js';
import type { KnockRefusal } from '../shared/reasons.js';
import { admitKnock } from './admit.js';
import { authenticate } from './authenticate.js';
import type { ClientLimiter } from './client-limiter.js';
import { commitKnock } from './commit.js';
import { applyPolicy } from './policy.js';
import type { RateLimiter } from './rate-limiter.js';
import { hexOf, type Runtime } from './runtime.js';
import { DEFAULT_SOURCE_KNOCKS_CAPACITY, SourceKnocks } from './source-knocks.js';
import { stillAllowed } from './still-allowed.js';
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
  /** Bound of the source-mode race guard (default DEFAULT_SOURCE_KNOCKS_CAPACITY). */
  readonly sourceKnocksCapacity?: number;
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
  const sourceKnocks = new SourceKnocks({
    windowMs: runtime().windowMs,
    capacity: deps.sourceKnocksCapacity ?? DEFAULT_SOURCE_KNOCKS_CAPACITY,
    clock,
  });
  const track = (done: Promise<void>): void => {
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };

  /**
   * A replayed source-mode knock from another address: one of the two copies was not the client's.
   * Which one cannot be told, so neither keeps access: the grant and its connections are revoked.
   * The copy's signature is checked first, so only a real copy of the knock can trigger this.
   */
  const revokeDuplicate = (
    rt: Runtime,
    replayed: Replayed<ResolvedClient>,
    source: IpAddress,
    srcPort: number,
  ): void => {
    const { client } = replayed;
    const nonce = hexOf(replayed.opened.knock.nonce);
    const first = sourceKnocks.duplicateFrom(client.keyIdHex, nonce, source);
    if (!first || verifyReplayed(rt.ctx, replayed)) return;
    sourceKnocks.forget(client.keyIdHex, nonce);
    const fields = { src: source.text, srcPort, client: client.name, opened: first.source.text };
    track(
      // After the first copy's own commit: revoking before its grant would leave that grant standing.
      first.committed
        .then(() => grants.revokeConnections(first.owner, [first.source], first.ports))
        .then(
          () => {
            metrics.count('duplicateRevokes');
            log.event('warn', 'knock.duplicate', {
              ...fields,
              message: 'source-mode knock seen from two addresses: its grant and connections revoked',
            });
          },
          (error: unknown) => {
            metrics.count('firewallFailures');
            log.event('error', 'firewall.failed', {
              ...fields,
              operation: 'revoke-duplicate',
              error: error instanceof Error ? error.message : String(error),
            });
          },
        ),
    );
  };

  const refuse = (reason: KnockRefusal, src: string, srcPort: number, client?: string): void => {
    metrics.refuse(reason);
    log.refusal({ reason, src, srcPort, client });
  };

  const work = (item: Queued): void => {
    const rt = runtime();
    const now = clock();
    const src = item.source.text;
    sourceKnocks.setWindow(rt.windowMs);
    const auth = authenticate(rt, replay, item.data, now);
    if (!auth.ok) {
      // Not authenticated yet: no client name in the log (see authenticate).
      refuse(auth.reason, src, item.srcPort);
      const { replayed } = auth;
      if (replayed) revokeDuplicate(rt, replayed, item.source, item.srcPort);
      return;
    }
    const { knock, client } = auth.value;
    // Before policy: a knock that authenticated spends its nonce even when policy refuses it, so a
    // captured copy resent from forged sources is a `replay` (no client named), never a stream of
    // policy refusals naming the client next to addresses of the sender's choosing (fail2ban).
    const refused = admitKnock(clientLimiter, replay, knock, client);
    if (refused) {
      refuse(refused, src, item.srcPort, client.name);
      return;
    }
    const policy = applyPolicy(knock, client, item.source, rt.limits, now);
    if (!policy.ok) {
      refuse(policy.reason, src, item.srcPort, client.name);
      return;
    }
    const { decision } = policy;
    const done = commitKnock(
      {
        replay,
        grants,
        log,
        metrics,
        maxGrantsPerClient: rt.config.maxGrantsPerClient,
        // A reload while the record is being written may have removed the key or the service.
        stillAllowed: () =>
          targetsFor(decision.addresses, decision.ports).every((t) =>
            stillAllowed(runtime(), client.keyIdHex, t),
          ),
      },
      { src, srcPort: item.srcPort },
      client,
      decision,
    );
    if (decision.sourceMode && decision.kind === 'open') {
      // Synchronously after the replay reservation: a copy later in the same batch finds it.
      sourceKnocks.remember(client.keyIdHex, hexOf(knock.nonce), {
        owner: { keyId: client.keyIdHex, name: client.name },
        source: decision.addresses[0]!,
        ports: decision.ports,
        committed: done,
      });
    }
    track(done);
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
