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

/** Each port is probed on its own; the connection that proves a port open is closed at once. */
export async function waitForPorts(
  address: string,
  ports: readonly number[],
  startedAt: number,
  deadline: number,
): Promise<PortOutcome[]> {
  return Promise.all(
    ports.map(async (port) => {
      const { socket, lastState } = await connectWhenOpen(address, port, deadline);
      if (!socket) return { address, port, openAfterMs: undefined, lastState };
      socket.destroy();
      return { address, port, openAfterMs: Date.now() - startedAt, lastState };
    }),
  );
}
