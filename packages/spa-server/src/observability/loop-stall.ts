/** The longest event-loop stall of the last 10 to 20 seconds: what a knock arriving then waited at most before it was read. @module */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Length of one window; the gauge covers the current one and the one before. */
export const STALL_WINDOW_MS = 10_000;

export interface LoopStall {
  /** Longest delay seen, in seconds, over the current and the previous window. */
  maxSeconds(): number;
  stop(): void;
}

export function watchLoopStall(): LoopStall {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let previousNs = 0;
  const timer = setInterval(() => {
    previousNs = histogram.max;
    histogram.reset();
  }, STALL_WINDOW_MS);
  timer.unref();
  return {
    // An empty histogram reports a max of 0; the sampling timer's own resolution is not a stall.
    maxSeconds: () => Math.max(previousNs, histogram.count > 0 ? histogram.max : 0) / 1e9,
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
