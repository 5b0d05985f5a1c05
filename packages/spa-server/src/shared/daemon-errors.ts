/** Errors that stop the daemon from starting or reloading: a stable code, a one-line message naming the culprit, the cause. @module */

export const DAEMON_ERROR_CODES = {
  /** stateDir cannot be created, or a file in it cannot be written or synced. */
  stateDirUnwritable: 'STATE_DIR_UNWRITABLE',
  /** The replay state file exists but cannot be read (permissions, a directory in its place). */
  stateFileUnreadable: 'STATE_FILE_UNREADABLE',
  /** A listen address could not be bound (in use, not local, no permission). */
  listenFailed: 'LISTEN_FAILED',
  /** The metrics endpoint could not be bound. */
  metricsListenFailed: 'METRICS_LISTEN_FAILED',
  /** The firewall driver could not install its table/chains. */
  firewallSetupFailed: 'FIREWALL_SETUP_FAILED',
  /** The control socket in stateDir cannot be created (path too long, not a socket, no permission). */
  controlSocketFailed: 'CONTROL_SOCKET_FAILED',
  /** Another daemon answers on the control socket of the same stateDir. */
  alreadyRunning: 'DAEMON_ALREADY_RUNNING',
  /** reload() or another call after stop(). */
  stopped: 'DAEMON_STOPPED',
} as const;
export type DaemonErrorCode = (typeof DAEMON_ERROR_CODES)[keyof typeof DAEMON_ERROR_CODES];

export class DaemonError extends Error {
  readonly code: DaemonErrorCode;
  constructor(code: DaemonErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DaemonError';
    this.code = code;
  }
}

/** A short, secret-free description of a system error for one-line messages. */
export function describeSystemError(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EADDRINUSE':
      return 'address already in use';
    case 'EADDRNOTAVAIL':
      return 'address not available on this host';
    default:
      return cause instanceof Error ? cause.message : String(cause);
  }
}
