/** The driver's kernel event stream (`nft monitor`) kept running for the daemon's life: a callback per deletion that concerns it, restarted when it dies. @module */
import { execa, type ResultPromise } from 'execa';
import type { DaemonLog } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { FirewallDriver, WatchCommand } from './driver.js';
import { lostEventsLog } from './lost-events-log.js';
import { resolveTool } from './process/tool-command.js';

export interface ChangeWatchOptions {
  readonly watch: WatchCommand;
  /** Called for every line that concerns the driver; cheap and synchronous (the caller coalesces). */
  readonly onChange: () => void;
  /** Called for every line the driver's `touches` picks; cheap and synchronous. */
  readonly onTouch?: () => void;
  /** Called for every line the driver's `lost` picks (before onChange, which follows too). */
  readonly onLost?: () => void;
  /**
   * Called each time the stream (re)starts: deletions between two streams were not seen, so the
   * caller checks at once.
   */
  readonly onStart: () => void;
  /** The stream is being restarted at once because its view went stale (`stales`): nothing is seen until the next onStart. */
  readonly onRefresh?: () => void;
  /** The stream ended (it is restarted after a delay); a one-line description. */
  readonly onExit: (description: string) => void;
  /**
   * A command (with its arguments) the stream runs under, e.g. `setpriv --pdeathsig TERM`: the
   * stream then ends with the daemon even after a kill -9, instead of lingering until its next event.
   */
  readonly wrapper?: readonly string[];
  /** First restart delay, doubled up to maxRestartMs while the stream keeps dying. */
  readonly restartMs?: number;
  readonly maxRestartMs?: number;
}

export interface ChangeWatch {
  /** Process id of the running stream (tests kill it to check the restart). */
  readonly pid: number | undefined;
  close(): Promise<void>;
}

/** Longer lines are element listings (thousands of grants), never a deletion of ours: not buffered. */
const MAX_LINE = 4096;
/** A stream that ran this long before dying restarts after the first delay again. */
const STABLE_MS = 30_000;
/**
 * At most one quiet restart (a set re-added) per this long: anyone who can run nft could otherwise
 * loop `add set` and make the daemon start a monitor (and a full check) per line.
 */
const REFRESH_MIN_MS = 1000;

export function startChangeWatch(options: ChangeWatchOptions): ChangeWatch {
  const { watch, onChange } = options;
  const firstDelay = options.restartMs ?? 1000;
  const maxDelay = options.maxRestartMs ?? 30_000;
  let delay = firstDelay;
  let child: ResultPromise | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  /** The running stream being ended by refresh(), to start again at once, quietly. */
  let refreshing: ResultPromise | undefined;
  let lastRefreshAt = Number.NEGATIVE_INFINITY;
  let refreshTimer: NodeJS.Timeout | undefined;
  const refresh = (): void => {
    if (closed || !child || refreshing === child || refreshTimer) return;
    const wait = lastRefreshAt + REFRESH_MIN_MS - Date.now();
    if (wait > 0) {
      refreshTimer = setTimeout(() => {
        refreshTimer = undefined;
        refresh();
      }, wait);
      refreshTimer.unref();
      return;
    }
    lastRefreshAt = Date.now();
    refreshing = child;
    options.onRefresh?.();
    child.kill('SIGTERM');
  };
  const classify = (line: string): void => {
    if (watch.lost?.(line)) options.onLost?.();
    if (watch.concerns(line)) onChange();
    else if (watch.touches?.(line)) options.onTouch?.();
    if (watch.stales?.(line)) refresh();
  };

  const spawn = (): void => {
    const startedAt = Date.now();
    const [file, ...args] = [
      ...(options.wrapper ?? []),
      watch.command.file,
      ...watch.command.prefix,
      ...watch.args,
    ];
    const proc = execa(file!, args, {
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      env: { HOME: '/dev/null' },
    });
    child = proc;
    let pending = '';
    let skipping = false;
    let stderr = '';
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      let text = chunk;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n')) {
        const line = pending + text.slice(0, nl);
        text = text.slice(nl + 1);
        pending = '';
        if (!skipping) classify(line);
        skipping = false;
      }
      if (skipping) return;
      pending += text;
      if (pending.length > MAX_LINE) {
        // The start of the line decides (`delete KIND FAMILY TABLE`); the rest is not kept.
        classify(pending.slice(0, MAX_LINE));
        pending = '';
        skipping = true;
      }
    });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      if (stderr.length < 500) stderr += chunk;
    });
    proc.stdout?.on('error', () => {});
    proc.stderr?.on('error', () => {});
    void proc.then((result) => {
      if (child === proc) child = undefined;
      if (closed) return;
      if (refreshing === proc) {
        refreshing = undefined;
        spawn();
        return;
      }
      if (Date.now() - startedAt >= STABLE_MS) delay = firstDelay;
      const how = result.signal ? `killed by ${result.signal}` : `exited with ${String(result.exitCode)}`;
      const said = stderr.trim().split('\n')[0] ?? '';
      options.onExit(
        `${[watch.command.name, ...watch.args].join(' ')} ${how}${said ? `: ${said}` : ''}; restarting in ${delay} ms`,
      );
      timer = setTimeout(spawn, delay);
      timer.unref();
      delay = Math.min(delay * 2, maxDelay);
    });
    proc.once('spawn', options.onStart);
  };

  spawn();
  return {
    get pid() {
      return child?.pid;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      clearTimeout(refreshTimer);
      const running = child;
      running?.kill('SIGTERM');
      await running;
    },
  };
}

/**
 * The driver's deletion events call `onChange` at once (and once per (re)start of the stream);
 * undefined when the backend has none, so the caller polls faster instead.
 */
/**
 * Told what the stream sees beyond deletions: the daemon's ShapeWitness (grants/shape-witness.ts)
 * and IntegrityPlanner (grants/integrity-planner.ts).
 */
export interface StreamListener {
  /** Any change to the driver's objects was reported. */
  changed(): void;
  /** The stream started (true) or ended (false). */
  watching(on: boolean): void;
}

export async function watchDriver(
  driver: FirewallDriver,
  onChange: () => void,
  log: DaemonLog,
  listeners: readonly StreamListener[] = [],
  metrics?: Pick<Metrics, 'count'>,
): Promise<ChangeWatch | undefined> {
  let watch: WatchCommand | undefined;
  try {
    watch = await driver.watchCommand();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.event('warn', 'firewall.watch-failed', { error: message });
  }
  if (!watch) return undefined;
  // util-linux's setpriv: the kernel ends the stream when the daemon dies, however it dies.
  const setpriv = await resolveTool('setpriv', 'util-linux').catch(() => undefined);
  const lost = lostEventsLog(log);
  const stream = startChangeWatch({
    watch,
    ...(setpriv ? { wrapper: [setpriv, '--pdeathsig', 'TERM'] } : {}),
    onChange: () => {
      for (const l of listeners) l.changed();
      onChange();
    },
    onTouch: () => {
      for (const l of listeners) l.changed();
    },
    // A burst (tens of thousands of grants or tags) can overflow the stream's socket: the change
    // that follows makes a full check, which at 100,000 grants takes seconds, so say why it ran.
    onLost: () => {
      metrics?.count('firewallEventsLost');
      lost.add();
    },
    onRefresh: () => {
      for (const l of listeners) l.watching(false);
    },
    onStart: () => {
      for (const l of listeners) l.watching(true);
      onChange();
    },
    onExit: (description) => {
      for (const l of listeners) l.watching(false);
      log.event('error', 'firewall.watch-failed', { error: description });
    },
  });
  return {
    get pid() {
      return stream.pid;
    },
    async close() {
      await stream.close();
      lost.close();
    },
  };
}
