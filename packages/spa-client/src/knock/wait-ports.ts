/** --wait: probes TCP ports until each accepts a connection or the deadline passes. @module */
import { connectWhenOpen } from './connect-when-open.js';

export interface PortOutcome {
  readonly address: string;
  readonly port: number;
  /** Milliseconds from the first knock until the port accepted; undefined when it never did. */
  readonly openAfterMs: number | undefined;
  /** closed (RST), filtered (silence) or open: what the last attempt saw. */
  readonly lastState: 'open' | 'closed' | 'filtered';
}

/**
 * Each port is probed on its own; the connection that proves a port open is closed at once. Times are
 * `performance.now()`: `sentAt` is when the first datagram was handed to the kernel, and a port's time
 * ends at its `connect` event, so neither the sealing before nor the closing after is counted.
 */
export async function waitForPorts(
  address: string,
  ports: readonly number[],
  sentAt: number,
  deadline: number,
  mark?: (what: string) => void,
): Promise<PortOutcome[]> {
  return Promise.all(
    ports.map(async (port) => {
      const { socket, lastState, connectedAt } = await connectWhenOpen(address, port, deadline, {
        origin: sentAt,
        ...(mark ? { mark } : {}),
      });
      if (!socket || connectedAt === undefined) return { address, port, openAfterMs: undefined, lastState };
      socket.destroy();
      return { address, port, openAfterMs: Math.round(connectedAt - sentAt), lastState };
    }),
  );
}
