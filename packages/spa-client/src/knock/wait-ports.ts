/** --wait: probes TCP ports until each accepts a connection or the deadline passes. @module */
import { setTimeout as sleep } from 'node:timers/promises';
import { attemptTcp } from './tcp-attempt.js';

export interface PortOutcome {
  readonly address: string;
  readonly port: number;
  /** Milliseconds from the first knock until the port accepted; undefined when it never did. */
  readonly openAfterMs: number | undefined;
  /** closed (RST), filtered (silence) or open: what the last attempt saw. */
  readonly lastState: 'open' | 'closed' | 'filtered';
}

const RETRY_PAUSE_MS = 100;

/**
 * How long each connection attempt may take: short at first, because the first SYN usually races
 * the server's grant and is dropped, and the kernel would retransmit it only after a second. Longer
 * later, so that a slow path (high RTT) still gets a complete handshake.
 */
export function attemptTimeoutMs(attempt: number): number {
  return Math.min(100 * 1.5 ** attempt, 1000);
}

/** Each port is probed on its own; the connection that proves a port open is closed at once. */
export async function waitForPorts(
  address: string,
  ports: readonly number[],
  startedAt: number,
  deadline: number,
): Promise<PortOutcome[]> {
  return Promise.all(ports.map((port) => waitForPort(address, port, startedAt, deadline)));
}

async function waitForPort(
  address: string,
  port: number,
  startedAt: number,
  deadline: number,
): Promise<PortOutcome> {
  let lastState: PortOutcome['lastState'] = 'filtered';
  for (let attempt = 0; ; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { address, port, openAfterMs: undefined, lastState };
    const began = Date.now();
    const result = await attemptTcp(address, port, Math.min(attemptTimeoutMs(attempt), remaining));
    lastState = result.state;
    if (result.state === 'open') {
      result.socket.destroy();
      return { address, port, openAfterMs: Date.now() - startedAt, lastState };
    }
    // A refusal or unreachable error comes back at once: pause instead of spinning on it.
    if (Date.now() - began < RETRY_PAUSE_MS) await sleep(RETRY_PAUSE_MS);
  }
}
