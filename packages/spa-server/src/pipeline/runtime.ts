/** The part of the configuration the packet path reads, derived once per (re)load and swapped as one reference. @module */
import { type CryptoBackend, createServerContext, type ServerContext } from 'spa-protocol';
import type { ResolvedClient, ResolvedConfig } from '../config/resolved-config.js';
import type { PortSpec } from '../firewall/driver.js';
import type { PolicyLimits } from './policy.js';

export interface Runtime {
  readonly config: ResolvedConfig;
  /** mac1 key and server keys derived once, so the per-packet path does no key setup. */
  readonly ctx: ServerContext;
  /** By lowercase hex key id (§1.1). */
  readonly clients: ReadonlyMap<string, ResolvedClient>;
  /** §7 12: how far a timestamp may lie behind the clock (the replay store holds entries this long)... */
  readonly windowMs: number;
  /** ...and ahead of it. */
  readonly futureWindowMs: number;
  readonly limits: PolicyLimits;
  /** Every port of every service, deduplicated: what the firewall protects. */
  readonly ports: readonly PortSpec[];
}

export function buildRuntime(config: ResolvedConfig, backend: CryptoBackend): Runtime {
  const clients = new Map<string, ResolvedClient>();
  for (const c of config.clients) clients.set(hexOf(c.keyId), c);
  const ports = new Map<string, PortSpec>();
  for (const list of config.services.values()) {
    for (const p of list) ports.set(`${p.protocol}/${p.port}`, { protocol: p.protocol, port: p.port });
  }
  return {
    config,
    ctx: createServerContext(backend, config.serverSecretKey),
    clients,
    windowMs: config.timestampWindowSeconds * 1000,
    futureWindowMs: config.futureWindowSeconds * 1000,
    limits: {
      services: config.services,
      defaultDurationSeconds: config.defaultDurationSeconds,
      maxDurationSeconds: config.maxDurationSeconds,
    },
    ports: [...ports.values()],
  };
}

export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
