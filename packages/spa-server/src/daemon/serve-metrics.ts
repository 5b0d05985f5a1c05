/** The daemon's metrics endpoint at start, with a warning at every start when it is served beyond this host. @module */
import { isLoopback, parseAddress } from 'spa-protocol';
import type { ListenAddress } from '../config/resolved-config.js';
import type { DaemonLog } from '../observability/log.js';
import type { MetricsSnapshot } from '../observability/metrics.js';
import { formatHostPort, type MetricsEndpoint, startMetricsEndpoint } from '../observability/metrics-http.js';

export async function serveMetrics(
  at: ListenAddress,
  snapshot: () => MetricsSnapshot,
  kernelDrops: (() => Promise<Readonly<Record<string, number>> | undefined>) | undefined,
  log: DaemonLog,
): Promise<MetricsEndpoint> {
  const endpoint = await startMetricsEndpoint(at, snapshot, kernelDrops);
  // The config refuses this without metrics.allowRemote; with it, say so at every start.
  const bound = parseAddress(endpoint.address.address);
  if (!bound || !isLoopback(bound)) {
    log.event('warn', 'metrics.remote', {
      listen: formatHostPort(endpoint.address),
      message: 'metrics are served beyond this host (metrics.allowRemote)',
    });
  }
  return endpoint;
}
