/** Where the agent's socket lives, and the checks before it listens: a private directory, no live agent replaced. @module */
import { lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';
import { homeDirectory } from '../profile/profile.js';

/** sun_path holds 108 bytes on Linux, its terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = 107;

/** $XDG_RUNTIME_DIR/spa-client/agent.sock; without it, a 0700 directory beside the profile. */
export function defaultSocketPath(env: NodeJS.ProcessEnv): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime) return join(runtime, 'spa-client', 'agent.sock');
  return join(homeDirectory(env), '.config', 'spa', 'agent', 'agent.sock');
}

/**
 * Creates the socket's directory 0700 if missing, then refuses one that anyone but this user can
 * enter: whoever can reach the socket can make the agent knock with this user's key.
 */
export function prepareSocketDirectory(socketPath: string): void {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw _unsafe(
      `socket path ${socketPath}: longer than ${MAX_SOCKET_PATH_BYTES} bytes (a Unix socket's limit)`,
    );
  }
  const dir = dirname(socketPath);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? 'failed';
    throw new ClientError(CLIENT_ERROR_CODES.cannotCreate, `socket directory ${dir}: ${code}`, { cause });
  }
  const stat = lstatSync(dir);
  const uid = process.getuid?.() ?? 0;
  const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
  if (!stat.isDirectory()) throw _unsafe(`socket directory ${dir}: not a directory (a symbolic link?)`);
  if (stat.uid !== uid) {
    throw _unsafe(
      `socket directory ${dir}: owned by uid ${stat.uid}, not ${uid}; it must be yours, mode 0700`,
    );
  }
  if ((stat.mode & 0o077) !== 0) {
    throw _unsafe(`socket directory ${dir}: mode ${mode} lets others in; it must be 0700 (chmod 700 ${dir})`);
  }
}

/**
 * A socket left by an agent that died is removed; one that answers belongs to a running agent and is
 * left alone, as is anything that is not a socket. `probe: false` removes a socket without connecting
 * to it: for an agent's port sockets, once its own socket showed that no agent runs there (a connection
 * to a live port socket would make that agent knock).
 */
export async function clearStaleSocket(socketPath: string, options: { probe?: boolean } = {}): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(socketPath).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw _unsafe(`${socketPath}: exists and is not a socket; not replacing it`);
  if (options.probe !== false && (await _answers(socketPath))) {
    throw new ClientError(
      CLIENT_ERROR_CODES.cannotCreate,
      `${socketPath}: another agent is listening there (stop it, or use --socket PATH)`,
    );
  }
  unlinkSync(socketPath);
}

function _answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

function _unsafe(message: string): ClientError {
  return new ClientError(CLIENT_ERROR_CODES.configInvalid, message);
}
