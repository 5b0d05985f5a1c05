/** spa-server's command line: commander wiring only; each command is loaded from commands/ when it runs. @module */
import { Command, CommanderError, Option } from 'commander';
import { suggestion } from 'spa-node/suggest';
import { EXIT_CODES, exitCodeFor } from './cli/exit-codes.js';
import { VERSION } from './cli/version.js';
import { isServerError, SERVER_ERROR_CODES } from './shared/server-error.js';

const DEFAULT_CONFIG = '/etc/spa/server.json';

const examples = (...lines: string[]): string => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
/** Options given before or after the command: the program holds them, commands read optsWithGlobals(). */
interface GlobalOptions {
  readonly config: string;
  readonly verbose?: boolean;
}
const globals = (command: Command): GlobalOptions => command.optsWithGlobals<GlobalOptions>();

/** The program; commands import their modules lazily so `--help` and `--version` stay fast. */
export function createProgram(): Command {
  const program = new Command('spa-server')
    .description('Single Packet Authorization server: ports stay closed until a signed UDP knock opens them.')
    .version(VERSION, '-V, --version')
    .addOption(new Option('-c, --config <file>', 'server configuration (JSON)').default(DEFAULT_CONFIG))
    .option('--verbose', 'print stack traces and causes with errors')
    // -c and --verbose are the program's, so they work before or after the command; show them there too.
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'spa-server: ')) })
    .addHelpText(
      'after',
      `${examples(
        'spa-server keygen --out /etc/spa/server.key',
        'spa-server check --config /etc/spa/server.json',
        'spa-server --config /etc/spa/server.json',
        'spa-server status --json',
      )}\nExit codes: 0 ok, 1 failure, 3 protection missing or incomplete (status), 64 usage error, 78 configuration error.\n`,
    );

  program
    .command('run', { isDefault: true })
    .description('run the daemon (the default command); SIGHUP reloads the config, SIGTERM stops')
    // As the default command, run would take a mistyped command for an argument of its own.
    .allowExcessArguments()
    .addHelpText('after', examples('spa-server --config /etc/spa/server.json', 'systemctl reload spa-server'))
    .action(async (_options: object, command: Command) => {
      const [word] = command.args;
      if (word !== undefined) {
        const names = program.commands.map((c) => c.name());
        program.error(`error: unknown command '${word.slice(0, 40)}'${suggestion(word, names)}`, {
          code: 'commander.unknownCommand',
        });
      }
      await (await import('./cli/commands/run.js')).runDaemon(globals(command));
    });

  program
    .command('check')
    .description('validate the configuration and keys; print a summary, or one line per problem')
    .addHelpText(
      'after',
      examples('spa-server check --config /etc/spa/server.json && systemctl reload spa-server'),
    )
    .action(async (_options: object, command: Command) =>
      (await import('./cli/commands/check.js')).runCheck(globals(command)),
    );

  program
    .command('status')
    .description(
      'whether the protected ports are dropped (read from the firewall), whether a daemon runs, and the grants; exit 3 when protection is missing or incomplete',
    )
    .option(
      '--json',
      'print {"backend","table","protection","protectedPorts","daemon","grants",...} (see README)',
    )
    .option(
      '--kernel',
      "list every grant from the firewall even when a daemon runs (default: the daemon's ledger; slow with many grants)",
    )
    .addHelpText(
      'after',
      examples(
        'spa-server status',
        "spa-server status --json | jq '.grants[].client'",
        'spa-server status >/dev/null || echo "ports unprotected"',
      ),
    )
    .action(async (options: { json?: boolean; kernel?: boolean }, command: Command) =>
      (await import('./cli/commands/status.js')).runStatus({ ...options, ...globals(command) }),
    );

  program
    .command('flush')
    .description(
      'remove everything the server installed in the firewall; while a daemon runs, revoke every grant and keep the ports dropped',
    )
    .addHelpText(
      'after',
      examples(
        'spa-server flush    # daemon running: all grants revoked',
        'systemctl stop spa-server && spa-server flush',
      ),
    )
    .action(async (_options: object, command: Command) =>
      (await import('./cli/commands/flush.js')).runFlush(globals(command)),
    );

  program
    .command('client-config')
    .description(
      "print a client profile for NAME: this server's address, port, key and the client's services",
    )
    .argument('<name>', 'client name, as in the configuration')
    .requiredOption('--host <host>', 'the address or DNS name clients knock on')
    .addHelpText(
      'after',
      examples(
        'spa-server client-config alice --host vpn.example.com > alice.json',
        'spa-server client-config alice --host vpn.example.com | spa-client profile add',
      ),
    )
    .action(async (name: string, options: { host: string }, command: Command) =>
      (await import('./cli/commands/client-config.js')).runClientConfig(name, {
        ...options,
        config: globals(command).config,
      }),
    );

  program
    .command('keygen')
    .description('create the server key file (mode 0600, never overwritten); print its public key')
    .requiredOption('--out <file>', 'where to write the private key')
    .addHelpText('after', examples('spa-server keygen --out /etc/spa/server.key'))
    .action(async (options: { out: string }) =>
      (await import('./cli/commands/keygen.js')).runKeygen(options),
    );

  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs one command line; returns the exit code instead of exiting, so nothing is cut short. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv as string[]);
    return EXIT_CODES.ok;
  } catch (error) {
    // Commander has printed its own one-line message (or the help) already.
    if (!(error instanceof CommanderError)) printError(error, program.opts<{ verbose?: boolean }>().verbose);
    return exitCodeFor(error);
  }
}

function printError(error: unknown, verbose = false): void {
  if (isServerError(error, SERVER_ERROR_CODES.configInvalid)) {
    for (const problem of error.problems) process.stderr.write(`${problem}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`spa-server: ${message.split('\n')[0]}\n`);
  }
  if (verbose) {
    for (let e: unknown = error; e instanceof Error; e = e.cause)
      process.stderr.write(`${e.stack ?? e.message}\n`);
  }
}

// Not a top-level await: the single-file executable bundles this module as CommonJS (scripts/bundle.mjs --sea).
void main(process.argv).then((code) => {
  process.exitCode = code;
});
