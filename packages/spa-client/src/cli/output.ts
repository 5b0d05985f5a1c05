/** Where output goes: results on stdout (one JSON object with --json), progress and errors on stderr. @module */
import { writeSync } from 'node:fs';

export interface Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** A result line for people (skipped with --json). */
  line(text: string): void;
  /** The one JSON object of --json. */
  result(value: unknown): void;
  /** Progress on stderr, only with --verbose. */
  info(text: string): void;
  /** What the user must see even without --verbose (the address signed, warnings), on stderr. */
  notice(text: string): void;
}

/**
 * A few short lines written straight to the descriptor: touching process.stdout builds a tty or
 * pipe stream, start-up time for one line of text. A non-blocking pipe may refuse a synchronous
 * write (EAGAIN); the stream then takes over.
 */
export function writeOut(fd: 1 | 2, text: string): void {
  try {
    writeSync(fd, text);
  } catch {
    (fd === 1 ? process.stdout : process.stderr).write(text);
  }
}

export function createOutput(json: boolean, verbose: boolean): Output {
  return {
    json,
    verbose,
    line(text) {
      if (!json) writeOut(1, `${text}\n`);
    },
    result(value) {
      writeOut(1, `${JSON.stringify(value)}\n`);
    },
    info(text) {
      if (verbose) writeOut(2, `spa-client: ${text}\n`);
    },
    notice(text) {
      writeOut(2, `spa-client: ${text}\n`);
    },
  };
}
