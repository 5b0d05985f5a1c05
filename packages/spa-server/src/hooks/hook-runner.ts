/** Runs the configured command per grant event off the packet path: argument array, event on stdin, timeout, bounded concurrency and queue. @module */
import { execa } from 'execa';
import type { HookEventName } from 'spa-config/server-config';
import type { ResolvedHooks } from '../config/resolved-config.js';
import type { GrantEvent } from '../grants/grant-events.js';
import type { DaemonLog } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { HookResult } from '../shared/reasons.js';
import { hookPayload } from './hook-payload.js';

export interface HookRunnerOptions {
  readonly hooks: ResolvedHooks;
  readonly log: DaemonLog;
  readonly metrics: Metrics;
}

export interface HookRunner {
  /** Starts or queues the event's hook and returns at once; never throws, never waits. */
  emit(event: GrantEvent): void;
  /** True when `event` has a command (the daemon prunes every second for expire hooks). */
  wants(event: HookEventName): boolean;
  /** Commands and bounds for events from now on; runs already started or queued keep theirs. */
  reconfigure(hooks: ResolvedHooks): void;
  /** Resolves once nothing runs and nothing waits. */
  idle(): Promise<void>;
  /** Drops what waits (counted), then waits for what runs; each run is bounded by the timeout. */
  close(): Promise<void>;
}

interface Job {
  readonly event: HookEventName;
  readonly client: string;
  readonly argv: readonly string[];
  readonly input: string;
  readonly timeoutMs: number;
}

/** The only environment a hook gets: the daemon's own may hold what a hook has no need of. */
const HOOK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** stderr kept for the failure's log line. */
const MAX_STDERR = 300;
/**
 * After the kill, how long the run may still wait for the hook's stderr to close. A process the hook
 * moved into a session of its own (setsid) outlives the group kill and may hold the pipe open: the run
 * ends anyway, so a hook never holds a slot for longer than its timeout and this.
 */
const KILL_GRACE_MS = 1000;

export function createHookRunner(options: HookRunnerOptions): HookRunner {
  const { log, metrics } = options;
  let { hooks } = options;
  const queue: Job[] = [];
  const running = new Set<Promise<void>>();
  let closed = false;
  let overflowing = false;
  let idleWaiters: (() => void)[] = [];

  const finish = (job: Job, result: HookResult, fields: Record<string, unknown>): void => {
    metrics.hookRun(job.event, result);
    if (result === 'ok') log.event('debug', 'hook.ran', { hook: job.event, client: job.client, ...fields });
    else log.event('warn', 'hook.failed', { hook: job.event, client: job.client, result, ...fields });
  };

  const run = async (job: Job): Promise<void> => {
    const startedAt = Date.now();
    const [file, ...args] = job.argv;
    // Its own process group, so that the timeout also ends whatever the hook started.
    const child = execa(file!, args, {
      input: job.input,
      stdout: 'ignore',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      detached: true,
      cleanup: false,
      cwd: '/',
      extendEnv: false,
      env: { PATH: HOOK_PATH, SPA_HOOK_EVENT: job.event },
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, job.timeoutMs);
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (stderr.length < MAX_STDERR) stderr += chunk;
    });
    child.stderr?.on('error', () => {});
    let hard: NodeJS.Timeout | undefined;
    const abandoned = new Promise<undefined>((resolve) => {
      hard = setTimeout(() => {
        child.stdin?.destroy();
        child.stderr?.destroy();
        resolve(undefined);
      }, job.timeoutMs + KILL_GRACE_MS);
    });
    const result = await Promise.race([child, abandoned]);
    clearTimeout(timer);
    clearTimeout(hard);
    if (result === undefined) {
      finish(job, 'timeout', {
        durationMs: Date.now() - startedAt,
        error: `killed after ${job.timeoutMs} ms; a process it left in another session keeps its stderr`,
      });
      return;
    }
    const durationMs = Date.now() - startedAt;
    const said = stderr.trim().split('\n')[0]?.slice(0, MAX_STDERR);
    if (timedOut) finish(job, 'timeout', { durationMs, error: `killed after ${job.timeoutMs} ms` });
    else if (result.exitCode === 0 && !result.failed) finish(job, 'ok', { durationMs });
    else {
      const how =
        result.exitCode !== undefined
          ? `exited with ${result.exitCode}`
          : result.signal
            ? `killed by ${result.signal}`
            : (result.originalMessage ?? result.shortMessage);
      finish(job, 'failed', { durationMs, error: said ? `${how}: ${said}` : how });
    }
  };

  const start = (job: Job): void => {
    const done = run(job)
      .catch((error: unknown) => {
        finish(job, 'failed', { error: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        running.delete(done);
        // A loop, not one start: a reload may have raised maxConcurrent.
        while (!closed && running.size < hooks.maxConcurrent && queue.length > 0) start(queue.shift()!);
        if (queue.length === 0) overflowing = false;
        if (running.size === 0 && queue.length === 0) {
          for (const wake of idleWaiters.splice(0)) wake();
        }
      });
    running.add(done);
  };

  const drop = (job: Job): void => {
    metrics.hookRun(job.event, 'dropped');
    if (overflowing) return;
    // Once per overflow: a flood of grants must not become a flood of log lines as well.
    overflowing = true;
    log.event('warn', 'hook.dropped', {
      hook: job.event,
      client: job.client,
      message: `hook queue full (${hooks.maxQueue} waiting): events dropped until it drains`,
    });
  };

  return {
    emit(event) {
      const argv = hooks.commands[event.type];
      if (closed || !argv) return;
      const job: Job = {
        event: event.type,
        client: event.client,
        argv,
        input: `${JSON.stringify(hookPayload(event))}\n`,
        timeoutMs: hooks.timeoutMs,
      };
      if (running.size < hooks.maxConcurrent) start(job);
      else if (queue.length < hooks.maxQueue) queue.push(job);
      else drop(job);
    },
    wants: (event) => hooks.commands[event] !== undefined,
    reconfigure(next) {
      hooks = next;
    },
    idle() {
      if (running.size === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closed = true;
      const left = queue.splice(0);
      for (const job of left) metrics.hookRun(job.event, 'dropped');
      if (left.length > 0) {
        log.event('warn', 'hook.dropped', {
          count: left.length,
          message: `${left.length} queued hook runs dropped at stop`,
        });
      }
      await Promise.all(running);
      idleWaiters = [];
    },
  };
}
