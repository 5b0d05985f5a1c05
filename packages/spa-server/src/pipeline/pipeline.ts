/** The packet path, wired in the order of docs/protocol.md §7: cheap checks on receipt, the rest from a bounded queue. @module */
import {
  CLIENT_TAG_OFFSET,
  EPOCH_MS,
  HEADER_NONCE_OFFSET,
  headerNonce,
  type IpAddress,
  NONCE_SIZE,
  parseAddress,
  type TaggedClient,
  unmapAddress,
} from 'spa-protocol';
import type { ResolvedClient } from '../config/resolved-config.js';
import { type GrantKeeper, targetsFor } from '../grants/grant-keeper-api.js';
import type { DaemonLog } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { ReplayGuard } from '../replay/replay-guard.js';
import { admitKnock } from './admit.js';
import { authenticate, precheck } from './authenticate.js';
import type { ClientLimiter } from './client-limiter.js';
import { commitKnock } from './commit.js';
import { createDuplicateRevoker } from './duplicate-revoker.js';
import { createFairQueue } from './fair-queue.js';
import { NonceMemory } from './nonce-memory.js';
import { applyPolicy } from './policy.js';
import { type Refuse, refuseByPolicy } from './policy-refusal.js';
import type { RateLimiter } from './rate-limiter.js';
import { hexOf, type Runtime } from './runtime.js';
import { DEFAULT_SOURCE_KNOCKS_CAPACITY, SourceKnocks } from './source-knocks.js';
import { stillAllowed } from './still-allowed.js';

export interface PipelineDeps {
  /** Read once per datagram, so a reload swaps keys and policy between two datagrams, never inside one. */
  readonly runtime: () => Runtime;
  /** Per-source buckets, after mac2: a key holder's datagrams per source address. */
  readonly limiter: RateLimiter;
  /** Per-client buckets, after mac2 and the replay pre-check: only a client's own key spends its budget. */
  readonly clientLimiter: ClientLimiter;
  readonly replay: ReplayGuard;
  readonly grants: GrantKeeper;
  readonly log: DaemonLog;
  readonly metrics: Metrics;
  readonly clock: () => number;
  readonly queueSize: number;
  /** Bound of the source-mode race guard (default DEFAULT_SOURCE_KNOCKS_CAPACITY). */
  readonly sourceKnocksCapacity?: number;
  /**
   * Told the client tag and nonce of each knock that reached the firewall, except a source-mode open (whose copies
   * from elsewhere must still reach the race guard): the kernel's gate then drops its copies.
   */
  readonly spent?: (tagAndNonce: Uint8Array, epoch: number, windowMs: number, nowMs: number) => void;
}

export interface Pipeline {
  /** The socket's message handler: synchronous, one Map lookup and one HMAC at most, never throws. */
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
  readonly tagged: TaggedClient<ResolvedClient>;
  /** hex(keyId) + hex(nonce): its entry in the nonce memory while it waits. */
  readonly pendingKey: string;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  const { runtime, limiter, clientLimiter, replay, grants, log, metrics, clock } = deps;
  const inFlight = new Set<Promise<void>>();
  const nonces = new NonceMemory();
  const sourceKnocks = new SourceKnocks({
    windowMs: runtime().windowMs,
    capacity: deps.sourceKnocksCapacity ?? DEFAULT_SOURCE_KNOCKS_CAPACITY,
    clock,
  });
  const track = (done: Promise<void>): void => {
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };

  const revokeDuplicate = createDuplicateRevoker({ sourceKnocks, grants, log, metrics, track });

  const refuse: Refuse = (reason, src, srcPort, client, srcSigned) => {
    metrics.refuse(reason);
    log.refusal({ reason, src, srcPort, client, srcSigned });
  };

  /** A replay, at the pre-check or at step 15: a copy from another address may undo a source-mode grant. */
  const replayed = (client: ResolvedClient, data: Uint8Array, source: IpAddress, srcPort: number): void => {
    const nonceHex = hexOf(headerNonce(data));
    nonces.copied(client.keyIdHex + nonceHex, source, srcPort);
    revokeDuplicate(client, nonceHex, source, srcPort);
  };

  // §7 7: the replay store, and knocks already waiting in the queue, so a burst of copies of a fresh
  // knock costs one queue slot and one token of its client's budget, not one per copy.
  const seen = (client: ResolvedClient, nonce: Uint8Array): 'replay' | undefined => {
    const nonceHex = hexOf(nonce);
    return replay.seen(client.keyIdHex, nonceHex) || nonces.has(client.keyIdHex + nonceHex, clock())
      ? 'replay'
      : undefined;
  };

  const work = (item: Queued): void => {
    const rt = runtime();
    const now = clock();
    const src = item.source.text;
    const waited = nonces.dequeued(item.pendingKey);
    sourceKnocks.setWindow(rt.windowMs);
    // A reload while it waited may have removed or replaced the key: only the current one counts.
    // (The key id is a hash of the key, so the same id is the same key.)
    const current = rt.clients.get(item.tagged.client.keyIdHex);
    if (!current) {
      refuse('unknown-client', src, item.srcPort);
      return;
    }
    const tagged = { ...item.tagged, client: current };
    const auth = authenticate(rt, replay, item.data, tagged, now);
    if (!auth.ok) {
      // Not authenticated yet: no client name in the log. mac2 passed, but a copy of the client's
      // datagram passes it too, and its source address is the copier's choice.
      refuse(auth.reason, src, item.srcPort);
      if (auth.reason !== 'replay') nonces.spend(item.pendingKey, item.tagged.epoch, rt.windowMs);
      if (auth.reason === 'replay' && (current.allowSourceAddress || sourceKnocks.size > 0)) {
        replayed(current, item.data, item.source, item.srcPort);
      }
      return;
    }
    const { knock, client } = auth.value;
    // Source mode opens the sender's address: a knock whose copy a bucket or the queue dropped
    // earlier may be that copy resent from elsewhere (or the original, after a copier's), so neither
    // opens anything (nonce-memory.ts wasDropped).
    if (knock.addresses.length === 0 && nonces.wasDropped(item.pendingKey, now)) {
      refuse('replay', src, item.srcPort);
      nonces.spend(item.pendingKey, item.tagged.epoch, rt.windowMs);
      return;
    }
    // Before policy: a knock that authenticated spends its nonce even when policy refuses it, so a
    // captured copy resent from forged sources is a `replay` (no client named), never a stream of
    // policy refusals naming the client next to addresses of the sender's choosing (fail2ban).
    const refused = admitKnock(replay, knock);
    if (refused) {
      refuse(refused, src, item.srcPort, client.name);
      // Nothing was reserved: without this, a copy would pass step 7 again (a signature check each
      // time) and be accepted once the store has room, from wherever it was resent (§7).
      nonces.spend(item.pendingKey, item.tagged.epoch, rt.windowMs);
      return;
    }
    const policy = applyPolicy(knock, client, item.source, rt.limits, now);
    if (!policy.ok) {
      // The source is the client's word only when the knock signed it: a copy relayed first from
      // elsewhere is refused here too, naming the client, but beside an address the relay chose.
      const srcSigned = knock.addresses.some((a) => parseAddress(a)?.text === src);
      const from = { src, srcPort: item.srcPort, client: client.name, srcSigned };
      refuseByPolicy(replay, knock, { reason: policy.reason, ...from }, refuse, track);
      return;
    }
    const { decision } = policy;
    const committed = commitKnock(
      {
        replay,
        grants,
        log,
        metrics,
        maxGrantsPerClient: rt.config.maxGrantsPerClient,
        // A reload while the record is being written may have removed the key or the service, or
        // the key's expiry passed meanwhile (a slow shared store).
        stillAllowed: () => {
          const at = clock();
          return targetsFor(decision.addresses, decision.ports, client.oneShot).every((t) =>
            stillAllowed(runtime(), client.keyIdHex, t, at),
          );
        },
      },
      { src, srcPort: item.srcPort },
      client,
      knock,
      decision,
    );
    const { spent } = deps;
    const done = committed.then((reached) => {
      if (reached && spent && !(decision.sourceMode && decision.kind === 'open')) {
        spent(
          item.data.subarray(CLIENT_TAG_OFFSET, HEADER_NONCE_OFFSET + NONCE_SIZE),
          item.tagged.epoch,
          rt.windowMs,
          clock(),
        );
      }
    });
    if (decision.sourceMode && decision.kind === 'open') {
      const nonceHex = hexOf(knock.nonce);
      // Synchronously after the replay reservation: a copy later in the same batch finds it.
      sourceKnocks.remember(client.keyIdHex, nonceHex, {
        owner: { keyId: client.keyIdHex, name: client.name, oneShot: client.oneShot },
        source: decision.addresses[0]!,
        ports: decision.ports,
        committed: done,
      });
      // A copy that came from elsewhere while this one waited was refused then; it counts now.
      const copy = waited?.copiedFrom;
      if (copy) revokeDuplicate(client, nonceHex, copy.source, copy.srcPort);
    }
    track(done);
  };

  const queue = createFairQueue<Queued>({
    capacity: deps.queueSize,
    handle: work,
    onError: (error) =>
      // A bug, not bad input: every input path returns a refusal. Logged so it can be fixed, never fatal.
      log.event('error', 'pipeline.error', { error: error instanceof Error ? error.message : String(error) }),
  });

  return {
    receive(data, address, port) {
      metrics.count('received');
      const rt = runtime();
      const early = precheck(rt, data, clock(), seen); // §7 1–7
      if (!early.ok) {
        refuse(early.reason, address, port);
        // Only a source-mode grant can be undone by a copy: other clients' replays cost nothing more.
        if (early.client && (early.client.allowSourceAddress || sourceKnocks.size > 0)) {
          const parsed = parseAddress(address);
          if (parsed) replayed(early.client, data, unmapAddress(parsed), port);
        }
        return;
      }
      const parsed = parseAddress(address);
      if (!parsed) return refuse('malformed', address, port);
      const source = unmapAddress(parsed);
      const { client, epoch } = early.value;
      // A tag whose whole epoch lies at or below the replay store's floor: every knock it can carry is
      // stale (after a start without a trustworthy state file), so no budget or key exchange is spent.
      if ((epoch + 1) * EPOCH_MS - 1 <= replay.floorMs) return refuse('stale', source.text, port);
      const pendingKey = client.keyIdHex + hexOf(headerNonce(data));
      // Dropped unread, but remembered: a copy sent once the budget refilled (or the queue emptied)
      // would otherwise be the knock itself, from the copier's address (§7).
      const drop = (reason: 'client-rate-limited' | 'rate-limited' | 'queue-full'): void => {
        nonces.dropped(client.keyIdHex, pendingKey, epoch, rt.windowMs);
        refuse(reason, source.text, port);
      };
      // Both buckets are asked before either is spent: a datagram one refuses takes nothing from the
      // other (a key holder flooding "from" someone's address spends its own budget, not theirs).
      if (!clientLimiter.allow(client.keyIdHex, false)) return drop('client-rate-limited');
      if (!limiter.allow(source, false)) return drop('rate-limited');
      const item = { data, source, srcPort: port, tagged: early.value, pendingKey };
      if (!queue.push(client.keyIdHex, item)) return drop('queue-full');
      clientLimiter.allow(client.keyIdHex);
      limiter.allow(source);
      nonces.queued(pendingKey, source.text);
    },
    setQueueSize: (size) => queue.setCapacity(size),
    async idle() {
      await queue.idle();
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    close: () => {
      queue.close();
      nonces.clear();
    },
  };
}
