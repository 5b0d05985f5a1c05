/** The daemon's control socket: a unix socket in stateDir answering `status` and `revoke-all` to local administrators, never the network. @module */
import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { describeSystemError } from '../../shared/describe-system-error.js';
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import {
  type ControlRefusal,
  type ControlResponse,
  type DaemonStatusSource,
  MAX_REQUEST_BYTES,
  MAX_SOCKET_PATH_BYTES,
  parseControlRequest,
} from './control-messages.js';
import { writeStatus } from './status-stream.js';

export interface ControlHandlers {
  status(): DaemonStatusSource;
  revokeAll(): Promise<void>;
  /** Every refused request (garbage, too large, too slow, too many at once), to be counted. */
  refused(reason: ControlRefusal): void;
}

export interface ControlServerOptions {
  readonly path: string;
  readonly handlers: ControlHandlers;
  /** Connections served at once; more are refused (`busy`). Default 8. */
  readonly maxConnections?: number;
  /** A connection that has not sent its request line within this is closed (`timeout`). Default 2 s. */
  readonly timeoutMs?: number;
}

export interface ControlServer {
  readonly path: string;
  /** Stops answering and removes the socket file. */
  close(): Promise<void>;
}

/**
 * Claims `path` (a stale socket left by a crash is replaced; a live one means another daemon runs on
 * this stateDir, which is refused) and listens on it with mode 0600.
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { path, handlers } = options;
  const maxConnections = options.maxConnections ?? 8;
  const timeoutMs = options.timeoutMs ?? 2000;
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new ServerError(
      SERVER_ERROR_CODES.controlSocketFailed,
      `control socket ${path}: longer than ${MAX_SOCKET_PATH_BYTES} bytes: choose a shorter stateDir`,
    );
  }
  await claim(path);
  let open = 0;
  const server = createServer((socket) => {
    socket.on('error', () => {});
    if (open >= maxConnections) {
      handlers.refused('busy');
      socket.end(line({ ok: false, error: 'busy' }));
      socket.resume(); // read (and drop) to the peer's end, or the socket never closes
      return;
    }
    open++;
    socket.once('close', () => open--);
    serve(socket, handlers, timeoutMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(socketError(path, error)));
    server.listen(path, () => resolve());
  });
  server.on('error', () => {});
  try {
    await chmod(path, 0o600);
  } catch (error) {
    await closeServer(server, path);
    throw socketError(path, error);
  }
  return { path, close: () => closeServer(server, path) };
}

function serve(socket: Socket, handlers: ControlHandlers, timeoutMs: number): void {
  let buffered = '';
  let answered = false;
  const answer = (response: ControlResponse): void => {
    answered = true;
    socket.end(line(response));
  };
  const refuse = (reason: ControlRefusal): void => {
    handlers.refused(reason);
    answer({ ok: false, error: reason });
  };
  const handle = (text: string): void => {
    const request = parseControlRequest(text);
    if (typeof request === 'string') {
      refuse(request);
      return;
    }
    if (request.op === 'status') {
      answered = true;
      // A client gone half-way only loses its answer.
      writeStatus(socket, handlers.status(), request.grants !== false).catch(() => socket.destroy());
      return;
    }
    answered = true;
    handlers.revokeAll().then(
      () => socket.end(line({ ok: true, revoked: true })),
      (error: unknown) =>
        socket.end(
          line({
            ok: false,
            error: 'failed',
            message: error instanceof Error ? error.message : String(error),
          }),
        ),
    );
  };
  socket.setEncoding('utf8');
  socket.setTimeout(timeoutMs, () => {
    if (!answered) handlers.refused('timeout');
    socket.destroy();
  });
  socket.on('data', (chunk: string) => {
    if (answered) return;
    buffered += chunk;
    const nl = buffered.indexOf('\n');
    if (nl !== -1) handle(buffered.slice(0, nl));
    else if (Buffer.byteLength(buffered) > MAX_REQUEST_BYTES) refuse('too-large');
  });
  socket.on('end', () => {
    if (!answered) {
      if (buffered.trim() === '') refuse('bad-request');
      else handle(buffered);
    }
  });
}

/** Replaces a stale socket (ECONNREFUSED: its daemon is gone); refuses a live one or a non-socket. */
async function claim(path: string): Promise<void> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw socketError(path, error);
  }
  if (!info.isSocket()) {
    throw new ServerError(
      SERVER_ERROR_CODES.controlSocketFailed,
      `control socket ${path}: exists and is not a socket: remove it`,
    );
  }
  const live = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) {
    throw new ServerError(
      SERVER_ERROR_CODES.alreadyRunning,
      `another spa-server is running with stateDir ${dirname(path)}: stop it first`,
    );
  }
  await unlink(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw socketError(path, error);
  });
}

async function closeServer(server: Server, path: string): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // server.close() unlinks the path itself; this covers a failed listen or chmod.
  await unlink(path).catch(() => {});
}

function line(response: ControlResponse): string {
  return `${JSON.stringify(response)}\n`;
}

function socketError(path: string, cause: unknown): ServerError {
  return new ServerError(
    SERVER_ERROR_CODES.controlSocketFailed,
    `control socket ${path}: ${describeSystemError(cause)}`,
    { cause },
  );
}
