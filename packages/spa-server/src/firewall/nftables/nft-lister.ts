/** Listings through a long-lived `nft -j -i`: the daemon's periodic checks start no process, whose fork would stall its event loop. @module */
import type { ResultPromise } from 'execa';
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import { AckReader, NFT_DIALECT } from '../process/ack-reader.js';
import { spawnInteractive } from '../process/line-shell.js';
import type { ToolCommand } from '../process/tool-command.js';

/** What nft says when the table, set or chain listed does not exist. */
export const NFT_ENOENT_TEXT = 'No such file or directory';
/** Listings after which the process is replaced (when idle): nft -i keeps every line in its history. */
const LISTINGS_PER_PROCESS = 1000;
/** Listings waiting beyond this are refused at once: the periodic checks never queue more than a few. */
const MAX_QUEUED = 64;
/** A listing line this long means the stream is not what we think (100,000 grants list in ~10 MiB). */
const MAX_LINE_CHARS = 256 << 20;
/** Only words go to nft's command line: the listing arguments are the driver's own names. */
const WORD = /^[A-Za-z0-9_.:-]+$/;

interface Request {
  readonly seq: number;
  readonly line: string;
  readonly resolve: (text: string | undefined) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
  /** The marker came back without an error: the listing's one stdout line is due, or already read. */
  acked?: boolean;
}

interface Child {
  readonly process: ResultPromise;
  readonly reader: AckReader;
  /** Complete stdout lines not yet matched to a request. */
  readonly lines: string[];
  /** Chunks of the line being read, joined once its newline comes: a long listing costs one pass. */
  readonly partial: string[];
  partialChars: number;
  current: Request | undefined;
  served: number;
}

/**
 * Runs `nft -j [-t] -i` and asks it one listing at a time. nft answers a listing with exactly one
 * JSON line on stdout, or an error on stderr and nothing on stdout; the failing marker line after
 * each listing (ack-reader.ts) closes its stderr reply. nft writes in order, so an error before the
 * marker fails the listing, and a marker without one means its stdout line was written (it may still
 * be in the pipe: it is waited for). nft re-reads the kernel's ruleset for every command: a listing
 * is never served from an older one.
 */
export class NftLister {
  readonly #command: ToolCommand;
  readonly #terse: boolean;
  readonly #timeoutMs: number;
  readonly #queue: Request[] = [];
  #child: Child | undefined;
  /** Processes replaced after LISTINGS_PER_PROCESS, until they exit: close() ends them too. */
  readonly #retired = new Set<Child>();
  #seq = 0;
  #closed = false;

  constructor(command: ToolCommand, terse: boolean, timeoutMs: number) {
    this.#command = command;
    this.#terse = terse;
    this.#timeoutMs = timeoutMs;
  }

  /** nft's JSON for `args` (e.g. ['list', 'set', 'inet', 'spa', 'protected']), or undefined when what it names does not exist. */
  list(args: readonly string[]): Promise<string | undefined> {
    if (this.#closed) return Promise.reject(failure('nft listing: the driver is closed'));
    if (!args.every((a) => WORD.test(a))) throw new Error(`not a listing: ${args.join(' ')}`);
    if (this.#queue.length >= MAX_QUEUED) return Promise.reject(failure('nft listing: too many queued'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ seq: ++this.#seq, line: args.join(' '), resolve, reject });
      this.#pump();
    });
  }

  /** Ends the process; queued listings are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const request of this.#queue.splice(0)) request.reject(failure('nft listing: the driver closed'));
    const children = [...this.#retired, ...(this.#child ? [this.#child] : [])];
    for (const child of children) child.process.stdin?.end();
    const timer = setTimeout(() => {
      for (const child of children) child.process.kill('SIGKILL');
    }, this.#timeoutMs);
    await Promise.all(children.map((child) => child.process));
    clearTimeout(timer);
  }

  #pump(): void {
    let child = this.#child;
    if (child?.current || this.#queue.length === 0 || this.#closed) return;
    if (child && child.served >= LISTINGS_PER_PROCESS) {
      const retired = child;
      this.#retired.add(retired);
      void retired.process.finally(() => this.#retired.delete(retired));
      retired.process.stdin?.end();
      child = undefined;
    }
    child ??= this.#spawn();
    const request = this.#queue.shift()!;
    child.current = request;
    child.served++;
    const target = child;
    request.timer = setTimeout(
      () => this.#kill(target, `no answer within ${this.#timeoutMs} ms`),
      this.#timeoutMs,
    );
    child.process.stdin?.write(`${request.line}\n${NFT_DIALECT.markerLine(request.seq)}\n`);
  }

  #spawn(): Child {
    const process = spawnInteractive(this.#command, ['-j', ...(this.#terse ? ['-t'] : []), '-i'], 'pipe');
    const child: Child = {
      process,
      reader: new AckReader(NFT_DIALECT),
      lines: [],
      partial: [],
      partialChars: 0,
      current: undefined,
      served: 0,
    };
    this.#child = child;
    process.stdin?.on('error', () => {}); // EPIPE from a dead process: its exit reports it
    process.stdout?.setEncoding('utf8');
    process.stderr?.setEncoding('utf8');
    process.stdout?.on('data', (chunk: string) => this.#stdout(child, chunk));
    process.stderr?.on('data', (chunk: string) => {
      for (const reply of child.reader.feed(chunk)) this.#reply(child, reply.seq, reply.lines);
    });
    void process.then((result) => {
      if (this.#child === child) this.#child = undefined;
      const how = result.signal ? `killed by ${result.signal}` : `exited with ${String(result.exitCode)}`;
      this.#fail(child, failure(`nft listing: nft ${how}`));
      this.#pump();
    });
    return child;
  }

  #stdout(child: Child, chunk: string): void {
    // Only the new chunk is searched for newlines: a 10 MiB listing in 64 KiB chunks is one pass.
    let from = 0;
    for (let at = chunk.indexOf('\n'); at >= 0; at = chunk.indexOf('\n', from)) {
      child.partial.push(chunk.slice(from, at));
      const line = child.partial.join('');
      child.partial.length = 0;
      child.partialChars = 0;
      if (line !== '') child.lines.push(line);
      from = at + 1;
    }
    if (from < chunk.length) {
      child.partial.push(chunk.slice(from));
      child.partialChars += chunk.length - from;
    }
    if (child.partialChars > MAX_LINE_CHARS) this.#kill(child, 'listing line too long');
    else this.#settle(child);
  }

  #reply(child: Child, seq: number, lines: readonly string[]): void {
    const request = child.current;
    if (!request || request.seq !== seq) {
      this.#kill(child, `answer out of order (got ${seq})`);
      return;
    }
    const error = NFT_DIALECT.errorOf(lines);
    if (error === undefined) {
      request.acked = true;
      this.#settle(child);
      return;
    }
    // Whatever it printed before failing is not a listing to trust.
    child.lines.length = 0;
    this.#done(child, request);
    if (error.includes(NFT_ENOENT_TEXT)) request.resolve(undefined);
    else request.reject(failure(`nft ${request.line} failed: ${error}`));
  }

  #settle(child: Child): void {
    const request = child.current;
    if (!request) {
      if (child.lines.length > 0) this.#kill(child, 'output without a listing');
      return;
    }
    if (!request.acked || child.lines.length === 0) return;
    if (child.lines.length > 1) {
      this.#kill(child, 'more than one line for one listing');
      return;
    }
    const text = child.lines.shift()!;
    this.#done(child, request);
    request.resolve(text);
  }

  #done(child: Child, request: Request): void {
    clearTimeout(request.timer);
    child.current = undefined;
    queueMicrotask(() => this.#pump());
  }

  #kill(child: Child, why: string): void {
    this.#fail(child, failure(`nft listing: ${why}`));
    if (this.#child === child) this.#child = undefined;
    child.process.kill('SIGKILL');
    this.#pump();
  }

  #fail(child: Child, error: Error): void {
    const request = child.current;
    if (!request) return;
    clearTimeout(request.timer);
    child.current = undefined;
    request.reject(error);
  }
}

function failure(message: string): ServerError {
  return new ServerError(SERVER_ERROR_CODES.firewallCommandFailed, message);
}
