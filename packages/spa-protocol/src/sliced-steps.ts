/** Work written as a generator that yields between steps: run whole, or in time slices with a pause between them. @module */

/** Runs every step at once and returns the generator's result. */
export function runSteps<R>(steps: Generator<unknown, R>): R {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Runs the steps, and whenever `sliceMs` have passed since the last pause, awaits `pause()` (a turn
 * of the caller's event loop) before the next step. Without `pause` the steps run in one piece.
 */
export async function runStepsInSlices<R>(
  steps: Generator<unknown, R>,
  pause: (() => Promise<void>) | undefined,
  sliceMs: number,
  now: () => number,
): Promise<R> {
  let sliceStart = now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (pause && now() - sliceStart >= sliceMs) {
      await pause();
      sliceStart = now();
    }
  }
}
