/** Applying a new configuration to a running daemon: firewall first, then one swap of keys and policy. @module */
import type { CryptoBackend } from 'spa-protocol';
import type { KeyCache } from '../config/key-cache.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { driverKnockLimit } from '../firewall/create-driver.js';
import type { GrantKeeper } from '../grants/grant-keeper-api.js';
import type { HookRunner } from '../hooks/hook-runner.js';
import type { DaemonLog } from '../observability/log.js';
import type { ClientLimiter } from '../pipeline/client-limiter.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { RateLimiter } from '../pipeline/rate-limiter.js';
import { createRuntime, type Runtime, type RuntimeBuild } from '../pipeline/runtime.js';
import { stillAllowed } from '../pipeline/still-allowed.js';
import type { ReplayGuard } from '../replay/replay-guard.js';
import { SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';
import { recheckInherited } from './inherit-grants.js';

/** Keepers whose last reload setup failed: the kernel may hold part of it. */
const unsettled = new WeakSet<GrantKeeper>();

/** Fields only a restart applies: they own sockets, files and kernel objects. */
export const RESTART_ONLY = ['listen', 'stateDir', 'firewall', 'metrics'] as const;

export interface ReloadTargets {
  readonly backend: CryptoBackend;
  /** The key cache's secrets and the pause between slices of key work. */
  readonly build: Omit<RuntimeBuild, 'previous'>;
  /** Writes the key cache for the runtime in force, in the background. */
  saveKeys(rt: Runtime): void;
  readonly grants: GrantKeeper;
  readonly hooks: HookRunner;
  readonly limiter: RateLimiter;
  readonly clientLimiter: ClientLimiter;
  readonly pipeline: Pipeline;
  readonly log: DaemonLog;
  readonly replay: ReplayGuard;
  /** The wall clock (ms): a client whose `expires` has passed loses its grants at the reload. */
  readonly clock: () => number;
  current(): Runtime;
  swap(next: Runtime): void;
  /** True once the daemon has begun to stop: a reload asked for then is refused. */
  stopped(): boolean;
}

export interface SerialReloads {
  /** Applies `next` after every reload asked for before it; refused once the daemon has stopped. */
  reload(next: ResolvedConfig): Promise<void>;
  /** Resolves when the reloads asked for so far have ended, applied or refused. */
  settled(): Promise<void>;
}

/** Reloads one at a time, in the order asked: two SIGHUPs never build two runtimes from one old one. */
export function serialReloads(t: ReloadTargets): SerialReloads {
  let reloading: Promise<void> = Promise.resolve();
  return {
    reload(next) {
      const run = reloading.then(() => {
        if (t.stopped()) throw new ServerError(SERVER_ERROR_CODES.stopped, 'reload: the daemon is stopped');
        return applyReload(t, next);
      });
      reloading = run.catch(() => {});
      return run;
    },
    settled: () => reloading,
  };
}

/**
 * Rejects before changing anything when the firewall cannot protect the new ports. The new ports are
 * protected before the swap, so no knock is granted under the new policy for a port not yet dropped.
 */
export async function applyReload(t: ReloadTargets, next: ResolvedConfig): Promise<void> {
  // Sliced: knocks are read and granted under the runtime in force until the swap below.
  const rt = await createRuntime(next, t.backend, { ...t.build, previous: t.current() });
  const previous = t.current().config;
  const ignored: string[] = RESTART_ONLY.filter((k) => changed(next[k], previous[k]));
  // The Redis connection is opened once, at start.
  if (changed(next.replay.redis, previous.replay.redis)) ignored.push('replay (store)');
  // The driver's in-kernel knock limit comes from listen and rateLimit: a new per-source rate or
  // burst reaches the token bucket now, but the kernel's limit only at a restart.
  if (!ignored.includes('firewall') && changed(driverKnockLimit(previous), driverKnockLimit(next)))
    ignored.push('firewall');
  // The ports the firewall last took need no setup: it would be one more nft transaction that queued
  // grants wait for during the reload. The integrity check, not a reload, repairs a table changed
  // underneath. After a failed setup (iptables applies one family at a time) the next reload sets up.
  if (unsettled.has(t.grants) || changed(rt.ports, t.grants.protectedPorts())) {
    unsettled.add(t.grants);
    await setupFirewall(t.grants, rt.ports);
    unsettled.delete(t.grants);
  }
  t.swap(rt); // the next datagram sees only the new keys and policy
  t.limiter.reconfigure({
    rate: next.rateLimit.perSourceRate,
    burst: next.rateLimit.perSourceBurst,
    maxSources: next.rateLimit.maxSources,
  });
  t.pipeline.setQueueSize(next.queueSize);
  t.hooks.reconfigure(next.hooks);
  t.log.reconfigure({ level: next.log.level, refusalsPerSecond: next.log.refusalsPerSecond });
  t.clientLimiter.reconfigure(
    { rate: next.rateLimit.perClientRate, burst: next.rateLimit.perClientBurst },
    new Set(next.clients.map((c) => c.keyIdHex)),
  );
  t.replay.setLimits({
    windowMs: rt.windowMs,
    futureWindowMs: rt.futureWindowMs,
    capacity: next.replay.capacity,
    perClient: next.replay.perClient,
  });
  // Revoking a key by reload also ends the access it already opened. By key id, not name: a key
  // rotated under the same name keeps nothing of the old key's access. An expired key's too.
  const now = t.clock();
  await t.grants.revokeUnless((keyId, target) => stillAllowed(rt, keyId, target, now));
  // And what an earlier run left, which the ledger holds by its owners' names only.
  await recheckInherited({ grants: t.grants, log: t.log, runtime: rt, clock: () => now });
  warnSourceMode(t.log, next);
  t.saveKeys(rt);
  if (ignored.length > 0) {
    t.log.event('warn', 'daemon.restart-required', {
      fields: ignored,
      message: `changes to ${ignored.join(', ')} take effect after a restart`,
    });
  }
  t.log.event('info', 'daemon.reloaded', { clients: next.clients.length, message: 'configuration reloaded' });
}

/** How many source-mode clients the warning names; the count covers the rest. */
export const SOURCE_MODE_NAMED = 5;

/**
 * One warning for all clients that accept knocks for the datagram's source (start and reload): a
 * line per client would be 10,000 synchronous writes for a large fleet, on the packet path's thread.
 */
export function warnSourceMode(log: DaemonLog, config: ResolvedConfig): void {
  const names: string[] = [];
  let count = 0;
  for (const client of config.clients) {
    if (!client.allowSourceAddress) continue;
    if (count++ < SOURCE_MODE_NAMED) names.push(client.name);
  }
  if (count === 0) return;
  const more = count > names.length ? ` and ${count - names.length} more` : '';
  log.event('warn', 'client.source-mode', {
    count,
    clients: names,
    message: `${count} client(s) may knock for the datagram source (allowSourceAddress): ${names.join(', ')}${more}; a copy of their knock can be resent from another address`,
  });
}

/** Writes the key cache when the keys changed; a failure costs the next start time, never a knock. */
export async function saveKeyCache(cache: KeyCache, rt: Runtime, log: DaemonLog): Promise<void> {
  try {
    // Every key, checked or not: a restart then makes no key agreement for a key seen before.
    // With the runtime's server key: a cache bound since to another key (a reload that failed) takes nothing.
    await cache.save(rt.table.keys(), rt.config.serverPublicKey);
  } catch (error) {
    const code = (error as { code?: string } | null)?.code ?? 'error';
    log.event('warn', 'keycache.unwritable', {
      reason: code,
      message: `the key cache in ${rt.config.stateDir} cannot be written (${code}): the next start derives every key again`,
    });
  }
}

/** driver.setup() with the error the daemon reports: FIREWALL_SETUP_FAILED, the driver's error as cause. */
export async function setupFirewall(grants: GrantKeeper, ports: Runtime['ports']): Promise<void> {
  try {
    await grants.setup(ports);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ServerError(SERVER_ERROR_CODES.firewallSetupFailed, `firewall: setup failed: ${detail}`, {
      cause,
    });
  }
}

const changed = (a: unknown, b: unknown): boolean => JSON.stringify(a) !== JSON.stringify(b);
