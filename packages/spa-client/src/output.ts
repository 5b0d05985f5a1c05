/** Where output goes: results on stdout (one JSON object with --json), progress and errors on stderr. @module */

export interface Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** A result line for people (skipped with --json). */
  line(text: string): void;
  /** The one JSON object of --json. */
  result(value: unknown): void;
  /** Progress on stderr, only with --verbose. */
  info(text: string): void;
}

export function createOutput(json: boolean, verbose: boolean): Output {
  return {
    json,
    verbose,
    line(text) {
      if (!json) process.stdout.write(`${text}\n`);
    },
    result(value) {
      process.stdout.write(`${JSON.stringify(value)}\n`);
    },
    info(text) {
      if (verbose) process.stderr.write(`spa-client: ${text}\n`);
    },
  };
}
