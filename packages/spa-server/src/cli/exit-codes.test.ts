import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { configError, SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';
import { EXIT_CODES, exitCodeFor } from './exit-codes.js';

describe('exitCodeFor', () => {
  it.each([
    [configError(['queueSize: must be at least 1']), EXIT_CODES.config],
    [new ServerError(SERVER_ERROR_CODES.unknownClient, 'no client'), EXIT_CODES.usage],
    [new ServerError(SERVER_ERROR_CODES.usage, '--host'), EXIT_CODES.usage],
    [new CommanderError(1, 'commander.unknownOption', 'unknown option'), EXIT_CODES.usage],
    [new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), EXIT_CODES.ok],
    [new CommanderError(0, 'commander.version', '0.1.0'), EXIT_CODES.ok],
    [new ServerError(SERVER_ERROR_CODES.firewallCommandFailed, 'nft failed'), EXIT_CODES.failure],
    [new ServerError(SERVER_ERROR_CODES.protectionMissing, 'no table'), 3],
    [new ServerError(SERVER_ERROR_CODES.protectionIncomplete, 'tcp/22 open'), 3],
    [new Error('anything else'), EXIT_CODES.failure],
    ['a string', EXIT_CODES.failure],
  ])('%s → %i', (error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });
});
