/** The one place a server error code becomes an exit code (the scheme: docs/exit-codes.md, spa-node). @module */
import { CommanderError } from 'commander';
import { EXIT_CODES, type ExitCode } from 'spa-node/exit-codes';
import { SERVER_ERROR_CODES, ServerError, type ServerErrorCode } from '../shared/server-error.js';

export { EXIT_CODES, type ExitCode } from 'spa-node/exit-codes';

/** Codes not listed are failures while doing the work (the firewall, a socket, a file): exit 1. */
const BY_ERROR_CODE: Readonly<Partial<Record<ServerErrorCode, ExitCode>>> = {
  [SERVER_ERROR_CODES.configInvalid]: EXIT_CODES.config,
  [SERVER_ERROR_CODES.usage]: EXIT_CODES.usage,
  [SERVER_ERROR_CODES.unknownClient]: EXIT_CODES.usage,
  [SERVER_ERROR_CODES.protectionMissing]: EXIT_CODES.unprotected,
  [SERVER_ERROR_CODES.protectionIncomplete]: EXIT_CODES.unprotected,
};

/** Commander's own outcomes that are not failures. */
const COMMANDER_SUCCESS = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) {
    return COMMANDER_SUCCESS.has(error.code) ? EXIT_CODES.ok : EXIT_CODES.usage;
  }
  return (error instanceof ServerError && BY_ERROR_CODE[error.code]) || EXIT_CODES.failure;
}
