/** Re-sends a fresh knock while waiting (1 s, 2 s, 4 s, then every 5 s), in case a datagram was lost. @module */

export interface Reknocker {
  /** Knocks sent so far, the first included. */
  readonly count: () => number;
  stop(): void;
}

/**
 * `knock` must build a new datagram each time (new nonce): the server refuses a repeated one as a
 * replay. A failing re-knock is reported through `onError` and does not stop the waiting.
 */
export function startReknocking(
  knock: () => Promise<void>,
  onError: (error: unknown) => void,
  { firstDelayMs = 1000, maxDelayMs = 5000 }: { firstDelayMs?: number; maxDelayMs?: number } = {},
): Reknocker {
  let count = 1;
  let delay = firstDelayMs;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    timer = setTimeout(async () => {
      if (stopped) return;
      count++;
      await knock().catch(onError);
      delay = Math.min(delay * 2, maxDelayMs);
      if (!stopped) schedule();
    }, delay);
    timer.unref();
  };
  schedule();
  return {
    count: () => count,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
