/** The daemon's log: one JSON line per decision on stdout, refusals rate-limited with a periodic summary. @module */
import { createBucket, takeToken } from '../shared/token-bucket.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** The fields of a log line after ts, level and event. Never key material, nonces or packet bytes. */
export interface LogFields {
  readonly reason?: string | undefined;
  readonly src?: string | undefined;
  readonly srcPort?: number | undefined;
  readonly client?: string | undefined;
  /**
   * On a refusal that names a client: true when `src` is one of the addresses the knock signed, so
   * that the client's key (not whoever relayed a copy first) vouches for it (fail2ban bans on this).
   */
  readonly srcSigned?: boolean | undefined;
  readonly services?: readonly string[] | undefined;
  readonly addresses?: readonly string[] | undefined;
  readonly duration?: number | undefined;
  readonly [field: string]: unknown;
}

/**
 * One log line. Field order is fixed (ts, level, event, reason, src, srcPort, client, srcSigned, services,
 * addresses, duration, then the rest) so that line-oriented tools such as fail2ban can match a prefix.
 */
export interface LogEntry extends LogFields {
  readonly ts: string;
  readonly level: LogLevel;
  readonly event: string;
}

/** Where entries go. The default writes JSON lines to stdout; tests and embedders pass their own. */
export interface Logger {
  write(entry: LogEntry): void;
}

export const stdoutLogger: Logger = {
  write(entry) {
    process.stdout.write(`${JSON.stringify(entry)}\n`);
  },
};

export interface DaemonLogOptions {
  readonly sink: Logger;
  readonly clock: () => number;
  readonly level: LogLevel;
  /** Refusal lines per second (and burst) before they are only counted. */
  readonly refusalsPerSecond: number;
  /** How often the "N refusals suppressed" summary is written when something was suppressed. */
  readonly summaryIntervalMs?: number;
}

export interface DaemonLog {
  event(level: LogLevel, event: string, fields?: LogFields): void;
  /** A refusal: written if the refusal budget allows, otherwise counted for the next summary. */
  refusal(fields: LogFields & { reason: string }): void;
  /** Refusal lines not written so far (a metric). */
  readonly suppressedTotal: number;
  reconfigure(options: { level: LogLevel; refusalsPerSecond: number }): void;
  /** Writes the pending summary and stops the timer. */
  close(): void;
}

export function createDaemonLog(options: DaemonLogOptions): DaemonLog {
  const { sink, clock } = options;
  let { level, refusalsPerSecond } = options;
  const bucket = createBucket(Math.max(1, refusalsPerSecond), clock());
  let suppressed = new Map<string, number>();
  let suppressedTotal = 0;

  const write = (lvl: LogLevel, event: string, fields: LogFields = {}): void => {
    if (RANK[lvl] < RANK[level]) return;
    // Key order of the literal is the order on the line.
    const entry: LogEntry = {
      ts: new Date(clock()).toISOString(),
      level: lvl,
      event,
      reason: fields.reason,
      src: fields.src,
      srcPort: fields.srcPort,
      client: fields.client,
      srcSigned: fields.srcSigned,
      services: fields.services,
      addresses: fields.addresses,
      duration: fields.duration,
      ...fields,
    };
    try {
      sink.write(entry);
    } catch {
      // A broken stdout (EPIPE) must not take the packet path down with it.
    }
  };

  const summarise = (): void => {
    if (suppressed.size === 0) return;
    const reasons = Object.fromEntries(suppressed);
    const count = [...suppressed.values()].reduce((a, b) => a + b, 0);
    suppressed = new Map();
    write('warn', 'log.suppressed', { count, reasons, message: `${count} refusals suppressed` });
  };
  const timer = setInterval(summarise, options.summaryIntervalMs ?? 5000);
  timer.unref();

  return {
    event: write,
    refusal(fields) {
      if (RANK.info < RANK[level]) return;
      const burst = Math.max(1, refusalsPerSecond);
      if (takeToken(bucket, refusalsPerSecond, burst, clock())) {
        write('info', 'knock.refused', fields);
        return;
      }
      suppressedTotal++;
      suppressed.set(fields.reason, (suppressed.get(fields.reason) ?? 0) + 1);
    },
    get suppressedTotal() {
      return suppressedTotal;
    },
    reconfigure(next) {
      ({ level, refusalsPerSecond } = next);
    },
    close() {
      clearInterval(timer);
      summarise();
    },
  };
}
