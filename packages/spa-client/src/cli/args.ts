/** Command-line parsing on node:util parseArgs: built in, so it adds nothing to start-up (commander costs ~5 ms). @module */
import { parseArgs } from 'node:util';
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

/** Options every command takes. */
export const COMMON_OPTIONS: OptionSpec = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
};

/** Strict parsing: an unknown option, a missing value or a repeated single-value option is a usage error. */
export function parseCommandArgs(command: string, argv: readonly string[], options: OptionSpec): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    // parseArgs explains over several lines; one line is kept, with the hint that matters.
    const text = error instanceof Error ? error.message : String(error);
    const first = text.split(/\.\s|\n/)[0]!.replace(/\.$/, '');
    const hint = /ambiguous/.test(text) ? "; for a value starting with '-', write --option=VALUE" : '';
    throw usageError(`${command}: ${first}${hint} (see spa-client ${command} --help)`);
  }
  // parseArgs keeps the last of a repeated option silently; a repeated --port is more likely a mistake.
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name] ?? COMMON_OPTIONS[token.name];
    if (spec?.type === 'string' && !spec.multiple) {
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
