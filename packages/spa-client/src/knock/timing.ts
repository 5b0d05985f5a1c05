/** Timing marks for --verbose: when each step of a knock happened, collected cheaply and printed afterwards. @module */

export interface Timing {
  /** Records `what` at the current time; a no-op unless enabled. */
  mark(what: string): void;
  /** One line per mark, ms since the process started, after a line naming that start in wall-clock time. */
  lines(): string[];
}

/**
 * Writing a line between the knock and the first SYN would delay the very thing being measured, so
 * marks are kept in memory and printed once the waiting is over.
 */
export function createTiming(enabled: boolean): Timing {
  const marks: { t: number; cpu: number; what: string }[] = [];
  return {
    mark(what) {
      if (!enabled) return;
      const { user, system } = process.cpuUsage();
      marks.push({ t: performance.now(), cpu: (user + system) / 1000, what });
    },
    lines() {
      if (marks.length === 0) return [];
      const origin = new Date(performance.timeOrigin).toISOString();
      return [
        `timing: process started ${origin} (${performance.timeOrigin.toFixed(3)})`,
        ...marks.map((m) => `timing: +${m.t.toFixed(3)} ms (cpu ${m.cpu.toFixed(1)} ms) ${m.what}`),
      ];
    },
  };
}
