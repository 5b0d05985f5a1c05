import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { FIREWALL_ERROR_CODES, FirewallError } from '../firewall/driver.js';
import { CLI_ERROR_CODES, CliError } from './cli-error.js';
import { EXIT_CODES, exitCodeFor } from './exit-codes.js';
import { PROTECTION_ERROR_CODES, ProtectionError } from './protection-error.js';

describe('exitCodeFor', () => {
  it.each([
    [new ConfigError(['queueSize: must be at least 1']), EXIT_CODES.config],
    [new CliError(CLI_ERROR_CODES.unknownClient, 'no client'), EXIT_CODES.usage],
    [new CliError(CLI_ERROR_CODES.usage, '--host'), EXIT_CODES.usage],
    [new CommanderError(1, 'commander.unknownOption', 'unknown option'), EXIT_CODES.usage],
    [new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), EXIT_CODES.ok],
    [new CommanderError(0, 'commander.version', '0.1.0'), EXIT_CODES.ok],
    [new FirewallError(FIREWALL_ERROR_CODES.commandFailed, 'nft failed'), EXIT_CODES.runtime],
    [new ProtectionError(PROTECTION_ERROR_CODES.missing, 'no table'), 3],
    [new ProtectionError(PROTECTION_ERROR_CODES.incomplete, 'tcp/22 open'), 3],
    [new Error('anything else'), EXIT_CODES.runtime],
    ['a string', EXIT_CODES.runtime],
  ])('%s → %i', (error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });
});
