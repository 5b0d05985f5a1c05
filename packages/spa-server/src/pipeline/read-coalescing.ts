/** Under a flood, a UDP socket read in batches: after a turn that emptied it, reading stops for 2 ms, so each wake-up reads dozens of datagrams instead of one or two. @module */
import type { Socket } from 'node:dgram';

/*
 * Why: a datagram that wakes the daemon alone costs far more than reading it. On the benchmark's
 * 2-core VM a handler that only counts costs 13–16 µs per datagram at 43,000 datagrams/s (each one
 * its own wake-up from idle: an epoll return, two recvmsg calls, a callback into JS) and 6–9 µs
 * when they are read 32 at a time; the whole packet path under a sniffed-tag flood fell from 14.7
 * to 8.3–8.7 µs per datagram read with a 2 ms pause (the real path behind a loopback socket,
 * flooded from the other core). Below FLOOD_PER_S nothing pauses, so a knock on a quiet server is
 * read at once; during a flood a knock waits up to PAUSE_MS more.
 *
 * Node has no public way to stop reading a UDP socket: this uses its handle's recvStop/recvStart,
 * found through dgram's own state, and does nothing when they are not there (another Node version).
 */

/** How long reading stops after a turn that emptied the socket. */
export const PAUSE_MS = 2;
/** The rate (datagrams/s, over WINDOW_MS) from which reading pauses. */
export const FLOOD_PER_S = 2000;
const WINDOW_MS = 100;
/** libuv reads at most this many datagrams per readiness event: fewer means the socket is empty. */
const LIBUV_BATCH = 32;
/**
 * Receive-buffer bytes a small datagram takes (its skb's truesize, rounded up): a pause is cut so that
 * what arrives meanwhile fills half the buffer at most. The daemon asks for 4 MiB, but the kernel caps
 * it at net.core.rmem_max (208 KiB by default), which holds ~2 ms of 50,000 datagrams/s.
 */
const BYTES_PER_DATAGRAM = 2048;
/** A failed restart of reading is tried again this often, with an error each time. */
const RETRY_MS = 1000;

interface UdpHandle {
  recvStart(): number;
  recvStop(): number;
}

export interface ReadCoalescing {
  /** Call for every datagram read, before handling it. */
  read(): void;
  /** Pauses so far (tests). */
  readonly pauses: number;
  /** Stops pausing for good and clears the timer; call before closing the socket. */
  stop(): void;
}

export interface ReadCoalescingOptions {
  readonly clock?: () => number;
  readonly pauseMs?: number;
  readonly floodPerS?: number;
  /** recvStart failed after a pause: the socket does not read until a retry succeeds. */
  readonly onError?: (error: Error) => void;
}

/** Coalescing for a bound socket, or undefined when this Node's dgram does not expose its handle. */
export function coalesceReads(
  socket: Socket,
  options: ReadCoalescingOptions = {},
): ReadCoalescing | undefined {
  const handle = udpHandle(socket);
  if (!handle) return undefined;
  const clock = options.clock ?? (() => performance.now());
  const pauseMs = options.pauseMs ?? PAUSE_MS;
  const floodPerS = options.floodPerS ?? FLOOD_PER_S;
  let stopped = false;
  let turnScheduled = false;
  let inTurn = 0;
  let windowStart = clock();
  let inWindow = 0;
  let flooding = false;
  let timer: NodeJS.Timeout | undefined;
  let pauses = 0;
  let rateMs = 0;
  // What the kernel granted (twice the request, capped); read once: a pause's length depends on it.
  const bufferBytes = recvBufferSize(socket);

  const resume = (): void => {
    timer = undefined;
    if (stopped) return;
    const code = handle.recvStart();
    if (code !== 0) {
      options.onError?.(new Error(`UDP socket: reading could not restart (${code}); retrying`));
      timer = setTimeout(resume, RETRY_MS);
    }
  };

  // After the poll phase's reads (setImmediate runs in the check phase of the same loop turn).
  const endOfTurn = (): void => {
    turnScheduled = false;
    const now = clock();
    if (now - windowStart >= WINDOW_MS) {
      rateMs = inWindow / (now - windowStart);
      flooding = rateMs * 1000 >= floodPerS;
      windowStart = now;
      inWindow = 0;
    }
    const emptied = inTurn < LIBUV_BATCH;
    inTurn = 0;
    if (!flooding || !emptied || stopped || timer) return;
    const ms = Math.min(pauseMs, Math.floor(bufferBytes / 2 / BYTES_PER_DATAGRAM / rateMs));
    if (!(ms >= 1)) return;
    handle.recvStop();
    pauses++;
    timer = setTimeout(resume, ms);
  };

  return {
    read() {
      inTurn++;
      inWindow++;
      if (!turnScheduled) {
        turnScheduled = true;
        setImmediate(endOfTurn);
      }
    },
    get pauses() {
      return pauses;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

function recvBufferSize(socket: Socket): number {
  try {
    return socket.getRecvBufferSize();
  } catch {
    return 0; // unknown: no pause
  }
}

function udpHandle(socket: Socket): UdpHandle | undefined {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  if (!key) return undefined;
  const state = (socket as unknown as Record<symbol, { handle?: Partial<UdpHandle> } | undefined>)[key];
  const handle = state?.handle;
  return typeof handle?.recvStart === 'function' && typeof handle.recvStop === 'function'
    ? (handle as UdpHandle)
    : undefined;
}
