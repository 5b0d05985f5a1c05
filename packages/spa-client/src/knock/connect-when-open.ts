/** Connects to a port that a knock is opening: attempts overlap while a grant is likely in flight, then back off. @module */
import { setMaxListeners } from 'node:events';
import type { Socket } from 'node:net';
import { attemptTcp } from './tcp-attempt.js';

/**
 * When the n-th attempt starts, in ms after the first: every 3 to 4 ms for the first 20 ms (the server
 * usually grants within a few ms, and the SYN that raced the grant was dropped: how long the client
 * then waits is up to one gap), then ever wider gaps, and once a second after the first second, so a
 * server that is simply down sees one SYN a second. Never more than three SYNs in any 10 ms.
 */
export function attemptStartMs(n: number): number {
  const early = [0, 3, 6, 10, 13, 16, 20, 25, 30, 40, 50, 65, 90, 130, 190, 280, 400, 560, 760, 1000];
  return n < early.length ? early[n]! : 1000 * (n - early.length + 2);
}

/**
 * How long the n-th attempt waits for its handshake: under a second, so the kernel never retransmits
 * its SYN (the first retransmission is at 1 s); long enough later on for a slow path's round trip.
 */
export function attemptTimeoutMs(n: number): number {
  return Math.min(250 * 1.5 ** Math.max(0, n - 8), 900);
}

/**
 * At most this many attempts wait for a handshake at once: every attempt of the first 250 ms fits (a
 * slow grant must not find the probing stalled until the first attempts time out).
 */
export const MAX_IN_FLIGHT = 16;

export interface ConnectOutcome {
  /** The connected socket; the caller owns it (closes it, or relays through it). */
  readonly socket: Socket | undefined;
  /** closed (RST), filtered (silence) or open: what the last finished attempt saw. */
  readonly lastState: 'open' | 'closed' | 'filtered';
  /** Attempts started. */
  readonly attempts: number;
}

/**
 * Resolves with the first attempt that connects, or with none at the deadline. The others are
 * aborted then, and any that connects anyway is closed at once: one connection is held, never two.
 */
export function connectWhenOpen(address: string, port: number, deadline: number): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    let start = Date.now();
    let n = 0;
    let inFlight = 0;
    let settled = false;
    let lastState: ConnectOutcome['lastState'] = 'filtered';
    let timer: NodeJS.Timeout | undefined;
    const others = new AbortController();
    // Each attempt in flight listens for the abort; past 10, Node would print a leak warning on stderr
    // (which ssh shows in the terminal when this is its ProxyCommand).
    setMaxListeners(MAX_IN_FLIGHT + 1, others.signal);

    const finish = (socket: Socket | undefined): void => {
      settled = true;
      clearTimeout(timer);
      others.abort();
      resolve({ socket, lastState: socket ? 'open' : lastState, attempts: n });
    };

    const launch = (): void => {
      if (settled) return;
      const now = Date.now();
      // A process that was late (busy, or not scheduled) does not make up for missed attempts with a
      // burst of SYNs: the rest of the schedule moves back, so the gaps between SYNs stay as planned.
      start = Math.max(start, now - attemptStartMs(n));
      if (now >= deadline) {
        if (inFlight === 0) finish(undefined);
        return;
      }
      if (inFlight < MAX_IN_FLIGHT) {
        inFlight++;
        const attempt = n;
        void attemptTcp(
          address,
          port,
          Math.min(attemptTimeoutMs(attempt), deadline - now),
          others.signal,
        ).then((result) => {
          inFlight--;
          if (result.state === 'open') {
            if (settled) result.socket.destroy();
            else finish(result.socket);
            return;
          }
          if (settled) return;
          lastState = result.state;
          if (Date.now() >= deadline && inFlight === 0) finish(undefined);
        });
      }
      n++;
      timer = setTimeout(launch, Math.max(0, Math.min(start + attemptStartMs(n), deadline) - Date.now()));
    };
    launch();
  });
}
