/** A long-lived interactive tool (`nft -i`, `ipset -`) fed batches on stdin, one in-order queue, restarted when it dies. @module */
import { execa, type ResultPromise } from 'execa';
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import { type AckDialect, AckReader, type AckReply } from './ack-reader.js';
import { type Batch, type JoinBatches, takeBatch } from './batch-merge.js';
import type { ToolCommand } from './tool-command.js';

export interface LineShellOptions {
  readonly command: ToolCommand;
  /** Arguments that put the tool in interactive mode, e.g. ['-i']. */
  readonly args: readonly string[];
  readonly dialect: AckDialect;
  /** A batch not acknowledged within this time kills the process (and fails everything in flight). */
  readonly timeoutMs: number;
  /** Batches queued or in flight beyond this are refused at once. */
  readonly maxPending: number;
  /**
   * Batches after which the process is replaced (when idle). nft -i keeps every line in its libedit
   * history, about 250 bytes per batch, for as long as it lives.
   */
  readonly batchesPerProcess: number;
  /**
   * Joins the texts of several mergeable batches into one that succeeds or fails as a whole (nft:
   * one transaction). Without it every batch is written as it comes.
   */
  readonly join?: JoinBatches;
}

export interface RunOptions {
  /**
   * May share one write (and, with a `join`, one transaction) with other mergeable batches queued
   * while the tool is busy. If the shared batch fails, each of them is run again on its own, so
   * each settles with its own outcome.
   */
  readonly merge?: boolean;
}

interface Child {
  readonly process: ResultPromise;
  readonly reader: AckReader;
  readonly inFlight: Batch[];
  written: number;
  ending: boolean;
  /** Set when we killed it on purpose, so the failure message says why. */
  killReason?: string;
}

/**
 * A long-lived interactive tool's process (`nft -i`, `ipset -`): stdin and stderr piped, stdout as
 * asked, its exit reported through the promise rather than thrown.
 */
export function spawnInteractive(
  command: ToolCommand,
  args: readonly string[],
  stdout: 'pipe' | 'ignore',
): ResultPromise {
  return execa(command.file, [...command.prefix, ...args], {
    stdin: 'pipe',
    stdout,
    stderr: 'pipe',
    buffer: false,
    reject: false,
    // No history file in the daemon's home (nft -i writes every line to ~/.nft.history).
    env: { HOME: '/dev/null' },
  });
}

/** Sends batches (lines without newlines) to one child process in order and settles each on its acknowledgement. */
export class LineShell {
  readonly #options: LineShellOptions;
  readonly #queue: Batch[] = [];
  #child: Child | undefined;
  #seq = 0;
  #closed = false;

  constructor(options: LineShellOptions) {
    this.#options = options;
  }

  /** Runs one batch; resolves once the tool finished it without error, rejects with ServerError otherwise. */
  run(lines: readonly string[], options: RunOptions = {}): Promise<void> {
    if (this.#closed) {
      return Promise.reject(
        new ServerError(SERVER_ERROR_CODES.firewallNotReady, 'firewall driver is closed'),
      );
    }
    if (lines.some((line) => line.includes('\n'))) throw new Error('a batch line contains a newline');
    const inFlight = this.#child?.inFlight.reduce((n, batch) => n + (batch.parts?.length ?? 1), 0) ?? 0;
    if (this.#queue.length + inFlight >= this.#options.maxPending) {
      return Promise.reject(this.#failure(`more than ${this.#options.maxPending} batches pending`));
    }
    return new Promise<void>((resolve, reject) => {
      const merge = options.merge === true && this.#options.join !== undefined;
      this.#queue.push({ seq: ++this.#seq, text: lines.join('\n'), merge, resolve, reject });
      this.#pump();
    });
  }

  /** Ends the process after the batches already sent; later run() calls are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const batch of this.#queue.splice(0)) {
      batch.reject(
        new ServerError(SERVER_ERROR_CODES.firewallNotReady, 'firewall driver closed before the command ran'),
      );
    }
    const child = this.#child;
    if (!child) return;
    this.#end(child);
    const timer = setTimeout(() => this.#kill(child, 'did not exit after close'), this.#options.timeoutMs);
    await child.process;
    clearTimeout(timer);
  }

  /** The running process id, if any (tests use it to kill or stop the tool). */
  get pid(): number | undefined {
    return this.#child?.process.pid;
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let child = this.#child;
      if (child && child.written >= this.#options.batchesPerProcess) {
        // Replace the process only once idle: two processes at once could reorder batches.
        this.#end(child);
        if (child.inFlight.length > 0) return;
        child = undefined;
      }
      const target = child ?? this.#spawn();
      const join = this.#options.join;
      // A mergeable batch waits while the tool is busy: those arriving meanwhile go with it.
      if (join && this.#queue[0]!.merge && target.inFlight.length > 0) return;
      const batch = join ? takeBatch(this.#queue, join, () => ++this.#seq) : this.#queue.shift()!;
      target.inFlight.push(batch);
      target.written++;
      batch.timer = setTimeout(
        () => this.#kill(target, `no answer within ${this.#options.timeoutMs} ms`),
        this.#options.timeoutMs,
      );
      target.process.stdin?.write(`${batch.text}\n${this.#options.dialect.markerLine(batch.seq)}\n`);
    }
  }

  #spawn(): Child {
    const { command, args } = this.#options;
    const process = spawnInteractive(command, args, 'ignore');
    const child: Child = {
      process,
      reader: new AckReader(this.#options.dialect),
      inFlight: [],
      written: 0,
      ending: false,
    };
    this.#child = child;
    // A write to a dead process raises EPIPE here; the exit handler reports it.
    process.stdin?.on('error', () => {});
    process.stderr?.on('error', () => {});
    process.stderr?.setEncoding('utf8');
    process.stderr?.on('data', (chunk: string) => {
      for (const reply of child.reader.feed(chunk)) this.#settle(child, reply);
    });
    void process.then((result) => this.#exited(child, result.exitCode, result.signal, result.cause));
    return child;
  }

  #settle(child: Child, reply: AckReply): void {
    const batch = child.inFlight[0];
    if (!batch || batch.seq !== reply.seq) {
      this.#kill(child, `answer out of order (got ${reply.seq}, expected ${batch?.seq ?? 'none'})`);
      return;
    }
    child.inFlight.shift();
    clearTimeout(batch.timer);
    batch.release?.();
    const error = this.#options.dialect.errorOf(reply.lines);
    if (error === undefined) batch.resolve();
    else if (batch.parts && !this.#closed) {
      // Which of them failed is not known, and none of them was applied: each runs again alone,
      // ahead of anything queued since, so the order of batches is kept.
      this.#queue.unshift(...batch.parts.map((part) => ({ ...part, merge: false })));
    } else batch.reject(this.#failure(error, reply.lines.join('\n')));
    if (this.#closed) return;
    if (child.ending && child.inFlight.length === 0 && this.#child === child) {
      // A retiring process finished its last batch: what queued behind it goes to a fresh one.
      this.#child = undefined;
    }
    // Batches that waited to be merged go now.
    this.#pump();
  }

  #exited(child: Child, exitCode: number | undefined, signal: string | undefined, cause: unknown): void {
    if (this.#child === child) this.#child = undefined;
    const said = child.reader.pending().join(' ').trim().slice(0, 200);
    const how = child.killReason ?? (signal ? `killed by ${signal}` : `exited with ${String(exitCode)}`);
    const spawnCode = (cause as NodeJS.ErrnoException | undefined)?.code;
    for (const batch of child.inFlight.splice(0)) {
      clearTimeout(batch.timer);
      batch.release?.();
      batch.reject(
        spawnCode === 'ENOENT'
          ? new ServerError(
              SERVER_ERROR_CODES.firewallToolMissing,
              `${this.#options.command.name} could not be started`,
            )
          : this.#failure(`${this.#options.command.name} ${how}${said ? `: ${said}` : ''}`, cause),
      );
    }
    // Batches queued behind a retiring process go to a fresh one.
    if (!this.#closed) this.#pump();
  }

  #end(child: Child): void {
    if (child.ending) return;
    child.ending = true;
    child.process.stdin?.end();
  }

  #kill(child: Child, reason: string): void {
    child.killReason ??= reason;
    child.ending = true;
    // Batches arriving from now on go to a fresh process; this one only has its in-flight ones to fail.
    if (this.#child === child) this.#child = undefined;
    child.process.kill('SIGKILL');
  }

  #failure(message: string, cause?: unknown): ServerError {
    return new ServerError(SERVER_ERROR_CODES.firewallCommandFailed, message, { cause });
  }
}
