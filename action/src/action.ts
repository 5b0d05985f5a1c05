/** The action's one bundle: its steps by name, each run by a two-line action/dist/<step>.cjs. @module */
import { InputError } from './action-inputs.js';
import { main } from './main.js';
import { post } from './post.js';
import { logError } from './workflow-io.js';

const STEPS = { main, post } as const;
export type StepName = keyof typeof STEPS;

/** Runs one step and sets the exit code; anything unexpected fails the step with a one-line message. */
export function runStep(name: StepName): void {
  STEPS[name]().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      logError(error instanceof InputError ? error.message : `spa-action: ${String(error)}`);
      process.exitCode = 1;
    },
  );
}
