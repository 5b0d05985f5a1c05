/** spa-client entry point: dispatches to a command (each its own lazily loaded chunk) and maps errors to exit codes. @module */
import { EXIT_CODES } from 'spa-node/exit-codes';
import { suggestion } from 'spa-node/suggest';
import { toClientError, usageError } from './cli/errors.js';
import { writeOut } from './cli/output.js';

declare const __SPA_VERSION__: string;
const VERSION = typeof __SPA_VERSION__ === 'string' ? __SPA_VERSION__ : '0.0.0-dev';

const COMMANDS = ['open', 'close', 'connect', 'agent', 'keygen', 'profile', 'help'];

async function dispatch(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = moveGlobalOptions(argv);
  switch (command) {
    case 'open':
    case 'close':
      return (await import('./cli/commands/knock.js')).runKnock(command, rest);
    case 'connect':
      return (await import('./cli/commands/connect.js')).runConnect(rest);
    case 'agent':
      return (await import('./cli/commands/agent.js')).runAgent(rest);
    case 'keygen':
      return (await import('./cli/commands/keygen.js')).runKeygen(rest);
    case 'profile':
      return (await import('./cli/commands/profile.js')).runProfile(rest);
    case '-V':
    case '--version':
      writeOut(1, `spa-client ${VERSION}\n`);
      return EXIT_CODES.ok;
    case 'help':
    case '-h':
    case '--help':
      return printHelp(rest[0]?.startsWith('-') ? undefined : rest[0]);
    case undefined:
      await printHelp(undefined, 2);
      return EXIT_CODES.usage;
    default:
      throw usageError(
        command.startsWith('-')
          ? `unknown option '${command.slice(0, 40)}' before the command (before it: -c/--config, -v/--verbose, -h, -V)`
          : `unknown command '${command.slice(0, 40)}'${suggestion(command, COMMANDS)} (commands: ${COMMANDS.join(', ')})`,
      );
  }
}

/**
 * `spa-client -c FILE --verbose open …` means `spa-client open … -c FILE --verbose`: the options every
 * command takes may stand before it too, and are handed to it.
 */
function moveGlobalOptions(argv: readonly string[]): string[] {
  const moved: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-v' || arg === '--verbose') moved.push(arg);
    else if ((arg === '-c' || arg === '--config') && i + 1 < argv.length) moved.push(arg, argv[++i]!);
    else if (arg.startsWith('--config=')) moved.push(arg);
    else break;
  }
  const [command, ...rest] = argv.slice(i);
  if (command === undefined) return [];
  return [command, ...rest, ...moved];
}

async function printHelp(topic: string | undefined, fd: 1 | 2 = 1): Promise<number> {
  const { HELP } = await import('./cli/help.js');
  const text = HELP[topic ?? 'main'];
  if (!text || topic === 'main') throw usageError(`help: no command "${String(topic).slice(0, 40)}"`);
  writeOut(fd, `${text}\n`);
  return EXIT_CODES.ok;
}

/** One line on stderr (a stack only with --verbose); with --json also one error object on stdout. */
function report(error: unknown, argv: readonly string[]): number {
  const clientError = toClientError(error);
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const json = argv.includes('--json') && argv[0] !== 'connect';
  const exitCode = clientError.exitCode;
  if (json) {
    const payload = { code: clientError.code, exitCode, message: clientError.message };
    writeOut(1, `${JSON.stringify({ ...(clientError.details ?? {}), error: payload })}\n`);
  }
  writeOut(2, `spa-client: ${clientError.message}\n`);
  if (verbose) {
    const stack = (clientError.cause instanceof Error ? clientError.cause : clientError).stack;
    if (stack) writeOut(2, `${stack}\n`);
  }
  return exitCode;
}

// No top-level await: the bundle is CommonJS (see scripts/bundle.mjs and README.md, start-up).
const argv = process.argv.slice(2);
dispatch(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = report(error, argv);
  },
);
