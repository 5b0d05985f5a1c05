/** ClientError, the client's one error class, and the exit code (docs/exit-codes.md) each of its codes maps to. @module */
import { EXIT_CODES, type ExitCode } from 'spa-node/exit-codes';
import { ERROR_CODES } from 'spa-protocol';

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

/** The one place a client error code becomes an exit code. */
export const EXIT_CODE_OF: Readonly<Record<ClientErrorCode, ExitCode>> = {
  [CLIENT_ERROR_CODES.usage]: EXIT_CODES.usage,
  // Private or server key missing, malformed or readable by others.
  [CLIENT_ERROR_CODES.keyInvalid]: EXIT_CODES.dataError,
  [CLIENT_ERROR_CODES.hostUnknown]: EXIT_CODES.noHost,
  [CLIENT_ERROR_CODES.network]: EXIT_CODES.unavailable,
  [CLIENT_ERROR_CODES.stunFailed]: EXIT_CODES.unavailable,
  // An HTTPS discovery source failed or gave no usable address.
  [CLIENT_ERROR_CODES.discoveryFailed]: EXIT_CODES.unavailable,
  [CLIENT_ERROR_CODES.internal]: EXIT_CODES.software,
  [CLIENT_ERROR_CODES.cannotCreate]: EXIT_CODES.cannotCreate,
  [CLIENT_ERROR_CODES.connectionLost]: EXIT_CODES.ioError,
  [CLIENT_ERROR_CODES.waitTimeout]: EXIT_CODES.tempFail,
  // Discovery sources named different addresses (one may lie).
  [CLIENT_ERROR_CODES.discoveryConflict]: EXIT_CODES.protocol,
  [CLIENT_ERROR_CODES.configInvalid]: EXIT_CODES.config,
  // The default needs a public address and no discovery is configured.
  [CLIENT_ERROR_CODES.discoveryUnconfigured]: EXIT_CODES.config,
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

  get exitCode(): ExitCode {
    return EXIT_CODE_OF[this.code];
  }
}

export const usageError = (message: string): ClientError =>
  new ClientError(CLIENT_ERROR_CODES.usage, message);

/** Maps SpaErrors (spa-protocol, spa-config, spa-node) by their code; anything else is a bug. */
export function toClientError(error: unknown): ClientError {
  if (error instanceof ClientError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case ERROR_CODES.invalidKey:
    case ERROR_CODES.weakKey:
      return new ClientError(CLIENT_ERROR_CODES.keyInvalid, message, { cause: error });
    case ERROR_CODES.invalidProfile:
      return new ClientError(CLIENT_ERROR_CODES.configInvalid, message, { cause: error });
    case ERROR_CODES.invalidRequest:
    case ERROR_CODES.requestTooLarge:
      return new ClientError(CLIENT_ERROR_CODES.usage, message, { cause: error });
    default:
      return new ClientError(CLIENT_ERROR_CODES.internal, `internal error: ${message}`, { cause: error });
  }
}
