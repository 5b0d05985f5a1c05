/** Prints the demo as numbered steps: one short line each, the command dimmed, ✓ or ✗ per check; counts failures. @module */

const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);

export interface Narrator {
  /** Starts the next numbered step. */
  step(title: string): void;
  /** Shows a command about to run, dimmed, with the host it runs on: `client$ spa-client open …`. */
  command(host: string, argv: readonly string[]): void;
  /** A ✓ or ✗ line; a ✗ makes the demo fail. Returns `ok`. */
  check(ok: boolean, text: string): boolean;
  /** A plain indented line (output worth seeing, such as `spa-server status`). */
  note(text: string): void;
  readonly failures: number;
}

/** `shorten` rewrites text before printing (e.g. the temp dir to $DEMO) so lines stay short. */
export function createNarrator(shorten: (text: string) => string = (t) => t): Narrator {
  let steps = 0;
  let failures = 0;
  return {
    step(title) {
      steps += 1;
      console.log(`\n${paint('1', `${String(steps).padStart(2)}. ${shorten(title)}`)}`);
    },
    command(host, argv) {
      console.log(paint('2', `    ${host}$ ${shorten(argv.map(quote).join(' '))}`));
    },
    check(ok, text) {
      if (!ok) failures += 1;
      console.log(`    ${ok ? paint('32', '✓') : paint('31', '✗')} ${shorten(text)}`);
      return ok;
    },
    note(text) {
      console.log(`      ${shorten(text)}`);
    },
    get failures() {
      return failures;
    },
  };
}

/** Quotes an argument the way a shell user would need to type it (display only: nothing runs through a shell). */
function quote(arg: string): string {
  return /^[\w@%+=:,./$…-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
