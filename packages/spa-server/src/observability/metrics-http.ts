/** The optional Prometheus endpoint: GET /metrics on a TCP address that defaults to localhost. @module */
import { createServer, type Server } from 'node:http';
import type { ListenAddress } from '../config/resolved-config.js';
import { describeSystemError } from '../shared/describe-system-error.js';
import { SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';
import type { MetricsSnapshot } from './metrics.js';
import { renderPrometheus } from './prometheus-text.js';

export interface MetricsEndpoint {
  /** The bound address (the port is the real one when 0 was asked). */
  readonly address: ListenAddress;
  close(): Promise<void>;
}

/**
 * `kernelDrops`, when the firewall has a knock gate, answers the kernel's counters read in the
 * background (KnockGateControl.drops): a scrape waits a second at most, never for a whole slow nft
 * listing. Asked once at start, so the first scrape finds them read; a scrape without them
 * (none read yet, the last read failed) leaves them out.
 */
export async function startMetricsEndpoint(
  at: ListenAddress,
  snapshot: () => MetricsSnapshot,
  kernelDrops?: () => Promise<Readonly<Record<string, number>> | undefined>,
): Promise<MetricsEndpoint> {
  void kernelDrops?.();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    } else if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end();
    } else {
      void (kernelDrops?.() ?? Promise.resolve(undefined)).then((kernel) => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(renderPrometheus(snapshot(), kernel));
      });
    }
  });
  // Scrapers are few; slow or idle clients must not hold sockets open.
  server.requestTimeout = 5000;
  server.headersTimeout = 5000;
  server.keepAliveTimeout = 5000;
  server.maxConnections = 16;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) =>
      reject(
        new ServerError(
          SERVER_ERROR_CODES.metricsListenFailed,
          `metrics: cannot listen on ${formatHostPort(at)}: ${describeSystemError(cause)}`,
          { cause },
        ),
      ),
    );
    server.listen({ host: at.address, port: at.port }, resolve);
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : at.port;
  return {
    address: { address: at.address, port },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function formatHostPort(a: ListenAddress): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
