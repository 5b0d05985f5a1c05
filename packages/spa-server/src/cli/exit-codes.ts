/** Exit codes, derived from error codes: 0 ok, 1 runtime error, 2 configuration error, 3 unprotected, 64 usage. @module */
import { CommanderError } from 'commander';
import { CONFIG_ERROR_CODES } from '../config/config-error.js';
import { CLI_ERROR_CODES } from './cli-error.js';
import { PROTECTION_ERROR_CODES } from './protection-error.js';

export const EXIT_CODES = {
  ok: 0,
  /** The firewall, a socket, a file: something failed while doing the work. */
  runtime: 1,
  /** The configuration (or a key it names) is invalid; nothing was changed. */
  config: 2,
  /** `status`: the configured ports are not (all) dropped by the firewall: they may accept anyone. */
  unprotected: 3,
  /** Command line misuse (sysexits.h EX_USAGE). */
  usage: 64,
} as const;
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

const BY_ERROR_CODE: Readonly<Record<string, ExitCode>> = {
  [CONFIG_ERROR_CODES.invalid]: EXIT_CODES.config,
  [CLI_ERROR_CODES.usage]: EXIT_CODES.usage,
  [CLI_ERROR_CODES.unknownClient]: EXIT_CODES.usage,
  [PROTECTION_ERROR_CODES.missing]: EXIT_CODES.unprotected,
  [PROTECTION_ERROR_CODES.incomplete]: EXIT_CODES.unprotected,
};

/** Commander's own outcomes that are not failures. */
const COMMANDER_SUCCESS = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) {
    return COMMANDER_SUCCESS.has(error.code) ? EXIT_CODES.ok : EXIT_CODES.usage;
  }
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && BY_ERROR_CODE[code]) || EXIT_CODES.runtime;
}
