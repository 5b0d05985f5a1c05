/** The demo's spa-server daemon: started from a config the demo wrote with the real CLIs, its JSON log lines collected. @module */
import type { ResultPromise } from 'execa';
import type { Host } from 'spa-test-kit/lab/netns';
import type { LogLine } from 'spa-test-kit/processes/server-process';

export interface Daemon {
  /** Resolves with the first log line (already seen or future) matching, or undefined after timeoutMs. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine | undefined>;
  /** SIGTERM, then waits; SIGKILL if it has not exited after 3 s. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs `spa-server --config FILE` in `host`. spa-test-kit processes/server-process.ts does the same for tests but
 * makes its own keys and config; the demo shows those being made by the CLIs, so it only needs this.
 */
export function startDaemon(host: Host, bin: string, configPath: string): Daemon {
  const child: ResultPromise = host.exec(bin, ['--config', configPath], {
    reject: false,
    buffer: false,
    stdin: 'ignore',
  });
  const lines: LogLine[] = [];
  const waiters = new Set<(line: LogLine) => void>();
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
      const text = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        for (const waiter of waiters) waiter(line);
      } catch {
        // Not a log line: the daemon only prints JSON lines, so this is not worth stopping the demo.
      }
    }
  });
  let exited = false;
  const exit = child.then(() => {
    exited = true;
    for (const waiter of waiters) waiter({ event: 'exited', level: 'error' });
  });
  let stopping: Promise<void> | undefined;
  return {
    waitForLog(predicate, timeoutMs = 5000) {
      const seen = lines.find(predicate);
      if (seen || exited) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const done = (line: LogLine | undefined) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(line);
        };
        const waiter = (line: LogLine) => {
          if (line.event === 'exited') done(undefined);
          else if (predicate(line)) done(line);
        };
        const timer = setTimeout(() => done(undefined), timeoutMs);
        waiters.add(waiter);
      });
    },
    stop() {
      stopping ??= (async () => {
        if (exited) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exit;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
