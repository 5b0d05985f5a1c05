/** The `firewall.events-lost` line: the first loss said at once, later ones summed once a minute, none left unsaid. @module */
import type { DaemonLog } from '../observability/log.js';

/** At most one line this often; the metric counts every loss. */
export const LOST_LOG_EVERY_MS = 60_000;

export interface LostEventsLog {
  /** One more `# ERROR: We lost some netlink events!` from the stream. */
  add(): void;
  /** Says what is pending, and stops the timer. */
  close(): void;
}

/**
 * A burst overflows the stream's socket many times over: a line per loss would flood the log. The
 * first loss is logged at once; those within the next minute are summed into one line at its end
 * (and the minute starts again), so a burst's tail is never left for a loss hours later to report.
 */
export function lostEventsLog(log: DaemonLog, everyMs: number = LOST_LOG_EVERY_MS): LostEventsLog {
  let pending = 0;
  let window: NodeJS.Timeout | undefined;
  const say = (): void => {
    log.event('warn', 'firewall.events-lost', { count: pending });
    pending = 0;
  };
  const open = (): void => {
    window = setTimeout(() => {
      window = undefined;
      if (pending === 0) return;
      say();
      open();
    }, everyMs);
    window.unref();
  };
  return {
    add() {
      pending++;
      if (window !== undefined) return;
      say();
      open();
    },
    close() {
      clearTimeout(window);
      window = undefined;
      if (pending > 0) say();
    },
  };
}
