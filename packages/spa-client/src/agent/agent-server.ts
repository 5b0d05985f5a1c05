/** The agent's Unix sockets: bounded first-line reading (or a socket's own request), refusals counted and logged, then the stream spliced to TCP. @module */
import { chmodSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import {
  type ConnectRequest,
  findLineEnd,
  parseRequestLine,
  REFUSALS,
  type Refusal,
} from './agent-request.js';
import type { PortSocket } from './port-sockets.js';

export interface AgentLimits {
  /** Streams not yet spliced (waiting for their line, knocking, connecting); more are closed at once. */
  readonly maxConnections: number;
  /**
   * Spliced sessions at once (each one a live ssh connection: tmux panes, parallel jobs). Bounded
   * too, because each holds two sockets, but far above what one user runs.
   */
  readonly maxSpliced: number;
  /** How long a new stream may take to send its first line. */
  readonly firstLineMs: number;
}

export const DEFAULT_LIMITS: AgentLimits = { maxConnections: 32, maxSpliced: 1024, firstLineMs: 2000 };

/** Knocks and connects for a request; throws with a one-line message (and a refusal) when it cannot. */
export type Dial = (request: ConnectRequest) => Promise<Socket>;

/** A failure of `Dial`, with the refusal it counts as. */
export class DialRefused extends Error {
  readonly refusal: Refusal;
  constructor(refusal: Refusal, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DialRefused';
    this.refusal = refusal;
  }
}

export interface AgentServer {
  /** The line-protocol socket's server first, then one per port socket. */
  readonly servers: readonly Server[];
  /** Refusals so far, by reason, and streams spliced. */
  readonly counters: () => Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * Listens on `socketPath` (its directory already checked), and on each port socket beside it, whose
 * streams carry no line: the socket names the request. Every socket is 0600 from its creation on;
 * the limits count the streams of all of them together.
 */
export async function listenAgent(
  socketPath: string,
  dial: Dial,
  log: (line: string) => void,
  limits: AgentLimits = DEFAULT_LIMITS,
  portSockets: readonly PortSocket[] = [],
): Promise<AgentServer> {
  const counts: Record<string, number> = { spliced: 0 };
  let open = 0; // not yet spliced
  let spliced = 0;
  const refuse = (stream: Socket, refusal: Refusal, detail?: string): void => {
    counts[refusal] = (counts[refusal] ?? 0) + 1;
    log(`refused (${refusal})${detail ? `: ${detail}` : ''}`);
    // Nothing is written: the other end is ssh, which would take any text for the server's banner.
    stream.destroy();
  };
  const accept = (stream: Socket, request: ConnectRequest | undefined): void => {
    if (open >= limits.maxConnections || spliced >= limits.maxSpliced) {
      const why =
        open >= limits.maxConnections ? `${open} streams starting already` : `${spliced} sessions open`;
      refuse(stream, REFUSALS.busy, why);
      return;
    }
    open++;
    let state: 'starting' | 'spliced' | 'closed' = 'starting';
    stream.once('close', () => {
      if (state === 'starting') open--;
      else if (state === 'spliced') spliced--;
      state = 'closed';
    });
    stream.on('error', () => stream.destroy());
    void _serve(stream, request, dial, limits, refuse).then((tcp) => {
      if (tcp) counts.spliced = (counts.spliced ?? 0) + 1;
      // A spliced session no longer holds a place among the streams starting.
      if (tcp && state === 'starting') {
        open--;
        spliced++;
        state = 'spliced';
      }
    });
  };
  const endpoints = [{ path: socketPath, request: undefined }, ...portSockets];
  const servers = endpoints.map(({ request }) =>
    createServer({ allowHalfOpen: true, pauseOnConnect: true }, (stream) => accept(stream, request)),
  );
  // Created 0600 (a socket's mode is the umask's complement), then made sure of: the directory is
  // 0700, so no one else could reach them in between either.
  const umask = process.umask(0o177);
  try {
    for (const [i, server] of servers.entries()) await _listen(server, endpoints[i]!.path);
  } catch (error) {
    for (const server of servers) server.close();
    throw error;
  } finally {
    process.umask(umask);
  }
  for (const { path } of endpoints) chmodSync(path, 0o600);
  return {
    servers,
    counters: () => ({ ...counts }),
    close: () =>
      Promise.all(
        servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      ).then(() => undefined),
  };
}

function _listen(server: Server, path: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Reads the first line (unless the socket names the request), dials, and splices; resolves with the
 * TCP socket once spliced, else undefined.
 */
async function _serve(
  stream: Socket,
  fixed: ConnectRequest | undefined,
  dial: Dial,
  limits: AgentLimits,
  refuse: (stream: Socket, refusal: Refusal, detail?: string) => void,
): Promise<Socket | undefined> {
  const first = await _request(stream, fixed, limits);
  if (typeof first === 'string') {
    refuse(stream, first);
    return undefined;
  }
  const { host, port } = first.request;
  let tcp: Socket;
  try {
    tcp = await dial(first.request);
  } catch (error) {
    const refusal = error instanceof DialRefused ? error.refusal : REFUSALS.knockFailed;
    const message = error instanceof Error ? error.message : String(error);
    refuse(stream, refusal, `${host} port ${port}: ${message}`);
    return undefined;
  }
  if (stream.destroyed) {
    // The caller gave up while the port was opening: the connection has no one to carry.
    tcp.destroy();
    return undefined;
  }
  _splice(stream, tcp, first.rest);
  return tcp;
}

/** The request, and what came after its line in the same reads (nothing is read for a port socket's). */
async function _request(
  stream: Socket,
  fixed: ConnectRequest | undefined,
  limits: AgentLimits,
): Promise<{ request: ConnectRequest; rest: Uint8Array } | Refusal> {
  // A port socket's stream stays paused: what ssh sends waits in the kernel until the splice.
  if (fixed) return { request: fixed, rest: new Uint8Array(0) };
  const first = await _readFirstLine(stream, limits.firstLineMs);
  if (typeof first === 'string') return first;
  const parsed = parseRequestLine(first.line);
  return parsed.ok ? { request: parsed.request, rest: first.rest } : parsed.refusal;
}

/** The first line and what came after it in the same reads; a refusal when too long, or too late. */
function _readFirstLine(
  stream: Socket,
  timeoutMs: number,
): Promise<{ line: Uint8Array; rest: Uint8Array } | Refusal> {
  return new Promise((resolve) => {
    let received = new Uint8Array(0);
    const done = (result: { line: Uint8Array; rest: Uint8Array } | Refusal): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('close', onClose);
      stream.off('end', onClose);
      // What follows the line waits in the kernel's buffer until the splice: the agent holds no more
      // than one read of it, however much a client sends while the knock is on its way.
      stream.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      const joined = new Uint8Array(received.length + chunk.length);
      joined.set(received);
      joined.set(chunk, received.length);
      received = joined;
      const end = findLineEnd(received);
      if (end === undefined) return;
      if (typeof end === 'string') done(end);
      else done({ line: received.subarray(0, end), rest: received.subarray(end) });
    };
    const onClose = (): void => done(REFUSALS.noLine);
    const timer = setTimeout(() => done(REFUSALS.noLine), timeoutMs);
    stream.on('data', onData);
    // EOF before the newline (allowHalfOpen: an ended stream is not closed by itself).
    stream.once('end', onClose);
    stream.once('close', onClose);
    stream.resume();
  });
}

/** Both ways, with half-close: ssh's EOF reaches the server as a FIN, and the server's as EOF to nc. */
function _splice(stream: Socket, tcp: Socket, rest: Uint8Array): void {
  const end = (): void => {
    stream.destroy();
    tcp.destroy();
  };
  tcp.on('error', end);
  stream.on('error', end);
  tcp.once('close', end);
  stream.once('close', end);
  if (rest.length > 0) tcp.write(rest);
  stream.pipe(tcp);
  tcp.pipe(stream);
  stream.resume();
}
