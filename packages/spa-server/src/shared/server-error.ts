/** ServerError, the server's one error class: a stable code, a one-line message naming the culprit, the cause. @module */

/** Every code the server throws; cli/exit-codes.ts maps each to an exit code (docs/exit-codes.md). */
export const SERVER_ERROR_CODES = {
  /** The configuration (or a key it names) is invalid; `problems` lists every problem, one line each. */
  configInvalid: 'CONFIG_INVALID',
  /** An argument or option value that cannot work. */
  usage: 'USAGE',
  /** client-config NAME where the config has no client NAME. */
  unknownClient: 'UNKNOWN_CLIENT',
  /** `status`: no table/chain of the server's; every configured port accepts anyone. */
  protectionMissing: 'PROTECTION_MISSING',
  /** `status`: part of it is there; some configured port may accept anyone. */
  protectionIncomplete: 'PROTECTION_INCOMPLETE',
  /** stateDir cannot be created, or a file in it cannot be written or synced. */
  stateDirUnwritable: 'STATE_DIR_UNWRITABLE',
  /** A replay state file exists but cannot be read or is not the daemon's own (a link, a FIFO, another user's). */
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
  /** nft, iptables, ipset or conntrack is not installed. */
  firewallToolMissing: 'FIREWALL_TOOL_MISSING',
  /** A firewall command failed or printed what the driver cannot read. */
  firewallCommandFailed: 'FIREWALL_COMMAND_FAILED',
  /** The driver is closed, or its objects are missing until the next setup. */
  firewallNotReady: 'FIREWALL_NOT_READY',
  /** A value the driver refuses to pass to nft/iptables (bad address, port, name): the caller's bug. */
  firewallInvalidInput: 'FIREWALL_INVALID_INPUT',
  /** A grant refused because its client already holds `maxGrants` live grants. */
  grantLimit: 'GRANT_LIMIT',
  grantsFull: 'GRANTS_FULL',
} as const;
export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[keyof typeof SERVER_ERROR_CODES];

export class ServerError extends Error {
  readonly code: ServerErrorCode;
  /** One line each, `field.path: what is wrong`, never key material: every problem for CONFIG_INVALID, else the message. */
  readonly problems: readonly string[];
  constructor(
    code: ServerErrorCode,
    message: string,
    options?: { cause?: unknown; problems?: readonly string[] },
  ) {
    super(message, options);
    this.name = 'ServerError';
    this.code = code;
    this.problems = options?.problems ?? [message];
  }
}

/** CONFIG_INVALID listing every problem found, one per line of the message. */
export function configError(problems: readonly string[], options?: { cause?: unknown }): ServerError {
  return new ServerError(SERVER_ERROR_CODES.configInvalid, problems.join('\n'), { ...options, problems });
}

/** True when `error` is a ServerError with `code`: how the server branches on its own errors. */
export function isServerError(error: unknown, code: ServerErrorCode): error is ServerError {
  return error instanceof ServerError && error.code === code;
}
