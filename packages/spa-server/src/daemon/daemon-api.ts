/** What a daemon is given and what it offers: its dependencies (injected by tests) and its handle for the CLI. @module */
import type { CryptoBackend } from 'spa-protocol';
import type { KeyCache } from '../config/key-cache.js';
import type { ListenAddress, ResolvedConfig } from '../config/resolved-config.js';
import type { FirewallDriver } from '../firewall/driver.js';
import type { Logger } from '../observability/log.js';
import type { MetricsSnapshot } from '../observability/metrics.js';
import type { MaintenanceIntervals } from './maintenance-timers.js';

export interface DaemonDeps {
  readonly driver: FirewallDriver;
  /** Wall clock in ms (Date.now by default); tests inject one. */
  readonly clock?: () => number;
  /** node:crypto (OpenSSL) by default: ~12x faster Ed25519 verification than noble. */
  readonly backend?: CryptoBackend;
  /** JSON lines on stdout by default. */
  readonly log?: Logger;
  /** stateDir's key cache, opened by loadConfig: secrets it holds are not derived again, new ones are added. */
  readonly keyCache?: KeyCache;
  /** Maintenance periods, shortened by tests. */
  readonly intervals?: MaintenanceIntervals & {
    /** "N refusals suppressed" summaries (default 5 s). */
    readonly logSummaryMs?: number;
  };
}

export interface Daemon {
  /** The UDP addresses bound, with real ports when 0 was configured. */
  readonly addresses: readonly ListenAddress[];
  /** The Prometheus endpoint's address, when enabled. */
  readonly metricsAddress: ListenAddress | undefined;
  metrics(): MetricsSnapshot;
  /**
   * Swaps keys, clients, services and limits in one step between two datagrams, after the firewall
   * protects the new ports; revokes live grants of clients that are gone. listen, stateDir, firewall
   * and metrics need a restart (a warning names them). Rejects, keeping the old configuration, when
   * the new one cannot be applied.
   */
  reload(config: ResolvedConfig): Promise<void>;
  /** Stops reading, finishes knocks in flight, writes the replay store. Grants stay in the kernel and expire there. */
  stop(): Promise<void>;
  /** Resolves once every datagram received so far has been decided (for tests). */
  idle(): Promise<void>;
}
