/** A Logger that keeps entries in memory, for assertions on what the daemon wrote. @module */
import type { LogEntry, Logger } from '../src/observability/log.js';

export interface CaptureLog extends Logger {
  readonly entries: LogEntry[];
  events(event: string): LogEntry[];
}

export function captureLog(): CaptureLog {
  const entries: LogEntry[] = [];
  return {
    entries,
    write(entry) {
      // Round-trip through JSON: exactly what a reader of stdout would get.
      entries.push(JSON.parse(JSON.stringify(entry)) as LogEntry);
    },
    events: (event) => entries.filter((e) => e.event === event),
  };
}
