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

/** Within any this many ms, at most SYNS_PER_WINDOW attempts start: counted on the actual start times. */
export const WINDOW_MS = 10;
export const SYNS_PER_WINDOW = 3;
/**
 * A timer that fires up to this late is jitter (Node's timers have 1 ms steps and read a cached clock):
 * the schedule keeps its times. Later than that, the process was held up, and the rest of the schedule
 * moves back instead of making up for the missed attempts with a burst.
 */
export const LATE_MS = 2;

export interface ConnectOutcome {
  /** The connected socket; the caller owns it (closes it, or relays through it). */
  readonly socket: Socket | undefined;
  /** closed (RST), filtered (silence) or open: what the last finished attempt saw. */
  readonly lastState: 'open' | 'closed' | 'filtered';
  /** Attempts started. */
  readonly attempts: number;
  /** When the winning attempt connected (`performance.now()`); undefined without a socket. */
  readonly connectedAt: number | undefined;
}

export interface ConnectOptions {
  /** When the knock went out (`performance.now()`): the schedule counts from it. Default: now. */
  readonly origin?: number;
  /** Called with what happens (attempt started, its outcome), for --verbose timing. */
  readonly mark?: (what: string) => void;
}

/**
 * Resolves with the first attempt that connects, or with none at the deadline (`performance.now()`
 * time). The others are aborted then, and any that connects anyway is closed at once: one connection
 * is held, never two.
 */
export function connectWhenOpen(
  address: string,
  port: number,
  deadline: number,
  { origin = performance.now(), mark }: ConnectOptions = {},
): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    let planOrigin = origin;
    const starts: number[] = [];
    let inFlight = 0;
    let settled = false;
    let lastState: ConnectOutcome['lastState'] = 'filtered';
    let timer: NodeJS.Timeout | undefined;
    const others = new AbortController();
    // Each attempt in flight listens for the abort; past 10, Node would print a leak warning on stderr
    // (which ssh shows in the terminal when this is its ProxyCommand).
    setMaxListeners(MAX_IN_FLIGHT + 1, others.signal);

    const finish = (socket: Socket | undefined, connectedAt?: number): void => {
      settled = true;
      clearTimeout(timer);
      others.abort();
      resolve({ socket, lastState: socket ? 'open' : lastState, attempts: starts.length, connectedAt });
    };
    // The window is counted on when attempts really started, so a late timer never squeezes a fourth in.
    const windowOpensAt = (n: number): number =>
      n < SYNS_PER_WINDOW ? 0 : starts[n - SYNS_PER_WINDOW]! + WINDOW_MS;
    const rearm = (at: number): void => {
      timer = setTimeout(launch, Math.max(0, Math.min(at, deadline) - performance.now()));
    };

    function launch(): void {
      if (settled) return;
      const now = performance.now();
      if (now >= deadline) {
        if (inFlight === 0) finish(undefined);
        return;
      }
      const n = starts.length;
      const planned = planOrigin + attemptStartMs(n);
      // Timers may fire a little early (they count from the event loop's cached clock): wait the rest.
      if (now < planned - 0.5 || now < windowOpensAt(n)) {
        rearm(Math.max(planned, windowOpensAt(n)));
        return;
      }
      if (now - planned > LATE_MS) planOrigin += now - planned;
      starts.push(now);
      if (inFlight < MAX_IN_FLIGHT) {
        inFlight++;
        mark?.(`tcp/${port} attempt ${n} started`);
        void attemptTcp(address, port, Math.min(attemptTimeoutMs(n), deadline - now), others.signal).then(
          (result) => {
            inFlight--;
            if (result.state === 'open') {
              mark?.(`tcp/${port} attempt ${n} connected`);
              if (settled) result.socket.destroy();
              else finish(result.socket, result.connectedAt);
              return;
            }
            if (settled) return;
            lastState = result.state;
            if (performance.now() >= deadline && inFlight === 0) finish(undefined);
          },
        );
      }
      rearm(Math.max(planOrigin + attemptStartMs(n + 1), windowOpensAt(n + 1)));
    }
    launch();
  });
}
