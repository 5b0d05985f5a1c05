/** Reading what the felt figures' commands print: `open --wait --json`, `ssh -v` lines; quoting a ProxyCommand. @module */

/** A line `ssh` prints (LogLevel DEBUG1) once it has read the server's version banner: its first byte. */
export const SSH_BANNER_LINE = 'debug1: Remote protocol version';

/** A line of a program's stderr and when it arrived, ms after the command started. */
export interface TimedLine {
  readonly t: number;
  readonly text: string;
}

/** When the first line starting with `prefix` arrived; undefined if none did. */
export function lineTimeMs(lines: readonly TimedLine[], prefix: string): number | undefined {
  return lines.find((l) => l.text.replace(/^\r/, '').startsWith(prefix))?.t;
}

/**
 * The client's own "knock sent → TCP connected" from `spa-client open --wait --json` output (the slowest
 * port's `wait.ports[].openAfterMs`); undefined when the output is not such a report or a port never opened.
 */
export function openAfterMsOf(stdout: string): number | undefined {
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  const ports = (report as { wait?: { ports?: { openAfterMs?: unknown }[] } } | null)?.wait?.ports;
  if (!Array.isArray(ports) || ports.length === 0) return undefined;
  const times = ports.map((p) => p.openAfterMs);
  if (!times.every((t): t is number => typeof t === 'number' && Number.isFinite(t))) return undefined;
  return Math.max(...times);
}

/**
 * One ProxyCommand string for an argument array: ssh hands it to a shell and expands %-tokens first, so
 * each argument is single-quoted unless it is plainly safe, and every % is doubled (no token is meant).
 */
export function proxyCommandOf(file: string, args: readonly string[]): string {
  return [file, ...args]
    .map((a) => {
      const literal = a.replaceAll('%', '%%');
      return /^[\w@+=:,./-]+$/.test(literal) ? literal : `'${literal.replaceAll("'", "'\\''")}'`;
    })
    .join(' ');
}
