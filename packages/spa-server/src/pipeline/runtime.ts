/** The part of the configuration the packet path reads, derived once per (re)load and swapped as one reference. @module */
import {
  ClientTable,
  type CryptoBackend,
  createServerContext,
  EPOCH_MS,
  type ServerContext,
  type TableBuild,
} from 'spa-protocol';
import { portOnly, portText } from '../config/port-spec.js';
import type { ResolvedClient, ResolvedConfig } from '../config/resolved-config.js';
import type { PortSpec } from '../firewall/driver.js';
import type { PolicyLimits } from './policy.js';

export interface Runtime {
  readonly config: ResolvedConfig;
  /** The server's keys, derived once, so the per-packet path does no key setup. */
  readonly ctx: ServerContext;
  /** By lowercase hex key id (§1.1). */
  readonly clients: ReadonlyMap<string, ResolvedClient>;
  /** By client tag (§6): each client's tag key and MAC key, derived once per key, not per reload. */
  readonly table: ClientTable<ResolvedClient>;
  /** §7 14: how far a timestamp may lie behind the clock (the replay store holds entries this long)... */
  readonly windowMs: number;
  /** ...and ahead of it. */
  readonly futureWindowMs: number;
  readonly limits: PolicyLimits;
  /** Every port of every service, deduplicated: what the firewall protects. */
  readonly ports: readonly PortSpec[];
}

/**
 * `previous`, on a reload, lends its client table's secrets: only keys that changed cost a key
 * agreement (one X25519 and two HKDF each), so a fleet of 10,000 keys reloads in milliseconds.
 * In one synchronous piece: for tests and tools; the daemon uses createRuntime.
 */
export function buildRuntime(config: ResolvedConfig, backend: CryptoBackend, previous?: Runtime): Runtime {
  const ctx = createServerContext(backend, config.serverSecretKey);
  return assemble(config, ctx, new ClientTable(ctx, config.clients, previous?.table));
}

/** How createRuntime spreads the per-key work, and the secrets it may take from the key cache. */
export interface RuntimeBuild {
  readonly previous?: Runtime | undefined;
  readonly known?: TableBuild<ResolvedClient>['known'];
  readonly knows?: TableBuild<ResolvedClient>['knows'];
  /** Lets datagrams be read between slices of key work (setImmediate). */
  readonly pause?: () => Promise<void>;
  /** Work between two pauses, in ms (default 10). */
  readonly sliceMs?: number;
  /**
   * The wall clock (ms): with `pause`, the tags of the epochs around now are made in slices before
   * the runtime is returned, so that the swap's advanceTags has nothing left to do.
   */
  readonly clock?: () => number;
  /** New keys' §1 subgroup checks come after the build (daemon/key-checks.ts): see TableBuild. */
  readonly deferSubgroupCheck?: boolean;
  readonly refused?: TableBuild<ResolvedClient>['refused'];
  /** Told once the client table is built, or failed to be: `known` is not asked again for it. */
  readonly built?: () => void;
}

/**
 * buildRuntime for the daemon: the new keys' checks and agreements run in slices with `pause`
 * between them, so knocks keep being read and granted under the runtime in force until the swap.
 */
export async function createRuntime(
  config: ResolvedConfig,
  backend: CryptoBackend,
  build: RuntimeBuild = {},
): Promise<Runtime> {
  const ctx = createServerContext(backend, config.serverSecretKey);
  const table = await ClientTable.create(ctx, config.clients, {
    previous: build.previous?.table,
    known: build.known,
    knows: build.knows,
    pause: build.pause,
    sliceMs: build.sliceMs,
    deferSubgroupCheck: build.deferSubgroupCheck,
    refused: build.refused,
  }).finally(build.built);
  const rt = assemble(config, ctx, table);
  // A fleet's tags are tens of thousands of entries: in one piece, a stall of tens of ms on the
  // packet path's thread at every reload.
  if (build.pause && build.clock) {
    await rt.table.advanceInSlices(
      build.clock(),
      rt.windowMs,
      tagLookaheadMs(rt),
      build.pause,
      build.sliceMs,
    );
  }
  return rt;
}

/** Every port of every service, deduplicated: what the firewall protects (the clients play no part). */
export function portsOf(config: Pick<ResolvedConfig, 'services'>): PortSpec[] {
  const ports = new Map<string, PortSpec>();
  for (const list of config.services.values()) {
    // The firewall needs a forwarded port's hosts; grants and policy compare ports only.
    for (const p of list)
      ports.set(portText(p), p.forward ? { ...portOnly(p), forward: p.forward } : portOnly(p));
  }
  return [...ports.values()];
}

/** The timestamp windows in ms: what the runtime checks knocks against and the replay store keeps. */
export function windowsOf(config: Pick<ResolvedConfig, 'timestampWindowSeconds' | 'futureWindowSeconds'>): {
  readonly windowMs: number;
  readonly futureWindowMs: number;
} {
  return {
    windowMs: config.timestampWindowSeconds * 1000,
    futureWindowMs: config.futureWindowSeconds * 1000,
  };
}

function assemble(config: ResolvedConfig, ctx: ServerContext, table: ClientTable<ResolvedClient>): Runtime {
  const clients = new Map<string, ResolvedClient>();
  for (const c of config.clients) clients.set(c.keyIdHex, c);
  return {
    config,
    ctx,
    clients,
    table,
    ...windowsOf(config),
    limits: {
      services: config.services,
      defaultDurationSeconds: config.defaultDurationSeconds,
      maxDurationSeconds: config.maxDurationSeconds,
    },
    ports: portsOf(config),
  };
}

/**
 * How early the next epoch's tags are held at least: the kernel's knock gate (daemon/knock-gate-sync.ts)
 * gets the table's tags once a second, so a tag must be held a few seconds before any knock inside the
 * window can carry it. A tag held early only lets a key holder's datagram reach the window check.
 */
export const TAG_LEAD_MS = 5000;

/**
 * How far past the clock the tag table reaches: the whole next epoch, from the first ms of the current
 * one (or further, for a future window of nearly a minute). A knock from a clock up to a minute or
 * more fast is then identified and refused `stale`, and its nonce remembered, so that a copy resent
 * once the clock caught up is a replay (docs/protocol.md §7), not a knock opened for the copier's
 * address. Refused at the tag instead, it would leave no trace, as a clock further ahead still does.
 */
export function tagLookaheadMs(rt: Pick<Runtime, 'futureWindowMs'>): number {
  return Math.max(rt.futureWindowMs + TAG_LEAD_MS, EPOCH_MS);
}

/** Brings the runtime's tag table to `nowMs`: the one call for the receive path, the timer and reloads. */
export function advanceTags(rt: Runtime, nowMs: number): void {
  rt.table.advance(nowMs, rt.windowMs, tagLookaheadMs(rt));
}

export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
