/** Command-line parsing on node:util parseArgs: built in, so it adds nothing to start-up (commander's cost: README). @module */
import { parseArgs } from 'node:util';
import { suggestion } from 'spa-node/suggest';
import { usageError } from './errors.js';

export type OptionSpec = Readonly<
  Record<
    string,
    { readonly type: 'string' | 'boolean'; readonly short?: string; readonly multiple?: boolean }
  >
>;

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** Options every command takes; -c and -v may also stand before the command (see GLOBAL_OPTIONS). */
export const COMMON_OPTIONS: OptionSpec = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
  config: { type: 'string', short: 'c' },
};

/** Strict parsing: an unknown option, a missing value or a repeated single-value option is a usage error. */
export function parseCommandArgs(command: string, argv: readonly string[], options: OptionSpec): ParsedArgs {
  const spec = { ...COMMON_OPTIONS, ...options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: attachNegativeValues(argv, spec),
      options: spec,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    throw usageError(`${command}: ${describeParseError(error, spec)} (see spa-client ${command} --help)`);
  }
  // parseArgs keeps the last of a repeated option silently; a repeated --port is more likely a mistake.
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    const one = spec[token.name];
    if (one?.type === 'string' && !one.multiple) {
      if (seen.has(token.name)) throw usageError(`${command}: --${token.name} given more than once`);
      seen.add(token.name);
    }
  }
  return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function listOption(args: ParsedArgs, name: string): readonly string[] {
  const v = args.values[name];
  return Array.isArray(v) ? v : [];
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/**
 * `--duration -1` gives parseArgs a value that looks like an option, which it calls ambiguous; as
 * `--duration=-1` the value reaches the option's own check, which says what is wrong with it.
 */
function attachNegativeValues(argv: readonly string[], spec: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && spec[name]?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** parseArgs explains over several lines; one line is kept, with a suggestion for a mistyped option. */
function describeParseError(error: unknown, spec: OptionSpec): string {
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | null)?.code;
  const unknown = /^Unknown option '([^']*)'/.exec(text)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown !== undefined) {
    const names = Object.entries(spec).flatMap(([n, o]) => [`--${n}`, ...(o.short ? [`-${o.short}`] : [])]);
    return `unknown option '${unknown.slice(0, 40)}'${suggestion(unknown, names)}`;
  }
  const first = text.split(/\.\s|\n/)[0]!.replace(/\.$/, '');
  const hint = /ambiguous/.test(text) ? "; for a value starting with '-', write --option=VALUE" : '';
  return `${first}${hint}`;
}
