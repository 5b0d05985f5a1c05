/** The client's typed errors and the sysexits-style exit code each error code maps to. @module */

export const CLIENT_ERROR_CODES = {
  usage: 'USAGE',
  keyInvalid: 'KEY_INVALID',
  configInvalid: 'CONFIG_INVALID',
  cannotCreate: 'CANNOT_CREATE',
  hostUnknown: 'HOST_UNKNOWN',
  network: 'NETWORK',
  stunFailed: 'STUN_FAILED',
  discoveryFailed: 'DISCOVERY_FAILED',
  discoveryConflict: 'DISCOVERY_CONFLICT',
  discoveryUnconfigured: 'DISCOVERY_UNCONFIGURED',
  waitTimeout: 'WAIT_TIMEOUT',
  connectionLost: 'CONNECTION_LOST',
  internal: 'INTERNAL',
} as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[keyof typeof CLIENT_ERROR_CODES];

/** Documented in README.md; scripts depend on these numbers, so they never change meaning. */
export const EXIT_CODES: Readonly<Record<ClientErrorCode, number>> = {
  USAGE: 64, // EX_USAGE
  KEY_INVALID: 65, // EX_DATAERR: private or server key missing, malformed or readable by others
  HOST_UNKNOWN: 68, // EX_NOHOST
  NETWORK: 69, // EX_UNAVAILABLE
  STUN_FAILED: 69,
  DISCOVERY_FAILED: 69, // an HTTPS discovery source failed or gave no usable address
  INTERNAL: 70, // EX_SOFTWARE
  CANNOT_CREATE: 73, // EX_CANTCREAT
  CONNECTION_LOST: 74, // EX_IOERR
  WAIT_TIMEOUT: 75, // EX_TEMPFAIL: try again later
  DISCOVERY_CONFLICT: 76, // EX_PROTOCOL: discovery sources named different addresses (one may lie)
  CONFIG_INVALID: 78, // EX_CONFIG
  DISCOVERY_UNCONFIGURED: 78, // the default needs a public address and no discovery is configured
};

export class ClientError extends Error {
  readonly code: ClientErrorCode;
  /** With --json, merged into the error object: what was done before the failure (e.g. packets sent). */
  readonly details: object | undefined;
  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown; details?: object }) {
    super(message, options);
    this.name = 'ClientError';
    this.code = code;
    this.details = options?.details;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export const usageError = (message: string): ClientError =>
  new ClientError(CLIENT_ERROR_CODES.usage, message);

/** Maps errors from spa-protocol (SpaError, ProfileError) by their code; anything else is a bug. */
export function toClientError(error: unknown): ClientError {
  if (error instanceof ClientError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'INVALID_KEY':
    case 'WEAK_KEY':
      return new ClientError(CLIENT_ERROR_CODES.keyInvalid, message, { cause: error });
    case 'PROFILE_INVALID':
      return new ClientError(CLIENT_ERROR_CODES.configInvalid, message, { cause: error });
    case 'INVALID_REQUEST':
    case 'REQUEST_TOO_LARGE':
      return new ClientError(CLIENT_ERROR_CODES.usage, message, { cause: error });
    default:
      return new ClientError(CLIENT_ERROR_CODES.internal, `internal error: ${message}`, { cause: error });
  }
}
