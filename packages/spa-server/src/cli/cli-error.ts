/** CliError: a command used wrongly (bad argument, unknown client), as opposed to a bad config or a failure. @module */

export const CLI_ERROR_CODES = {
  /** An argument or option value that cannot work (exit 64). */
  usage: 'USAGE',
  /** client-config NAME where the config has no client NAME (exit 64). */
  unknownClient: 'UNKNOWN_CLIENT',
} as const;
export type CliErrorCode = (typeof CLI_ERROR_CODES)[keyof typeof CLI_ERROR_CODES];

export class CliError extends Error {
  readonly code: CliErrorCode;
  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
  }
}
