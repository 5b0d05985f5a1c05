/** Splits a line shell's stderr into per-batch replies, using a deliberately failing marker line as the acknowledgement. @module */

/**
 * How one tool answers a marker. After each batch the shell sends a marker line that the tool
 * rejects with an error naming the marker's sequence number; the tool writes errors in order, so
 * every stderr line before the marker's reply belongs to the batch, and the marker's arrival proves
 * the batch finished. Success output is not needed: a batch succeeded when none of its lines is an error.
 *
 * Why not nft's echo (`nft -e -i`) as the acknowledgement: a command that changes nothing (adding
 * a table that exists) echoes nothing, and a failed one writes only to stderr, so a reader waiting
 * for the echo on stdout can hang or race with stderr.
 */
export interface AckDialect {
  /** The marker line to send after the batch numbered `seq`. */
  markerLine(seq: number): string;
  /** The sequence number if `line` is the stderr line that names a marker. */
  markerSeq(line: string): number | undefined;
  /** True for a line printed just before the marker line as part of the marker's own reply. */
  isLeader(line: string): boolean;
  /** True for lines printed just after the marker line as part of the marker's own reply. */
  isTrailer(line: string): boolean;
  /** The error message of a batch's stderr lines, or undefined when they report no error. */
  errorOf(lines: readonly string[]): string | undefined;
}

/** One finished batch: its sequence number and the stderr lines it produced. */
export interface AckReply {
  readonly seq: number;
  readonly lines: readonly string[];
}

/** Lines kept per batch: a failed batch's useful context is short; output beyond this is dropped. */
const MAX_LINES_PER_BATCH = 64;
/** A line without newline this long means the stream is not what we think: cut it. */
const MAX_PARTIAL_CHARS = 1 << 20;

/** Incremental reader: feed stderr chunks, get completed replies in order. */
export class AckReader {
  readonly #dialect: AckDialect;
  #partial = '';
  #lines: string[] = [];
  #inTrailer = false;

  constructor(dialect: AckDialect) {
    this.#dialect = dialect;
  }

  /** Consumes a chunk of stderr text; returns the batches it completed. */
  feed(chunk: string): AckReply[] {
    const replies: AckReply[] = [];
    const parts = (this.#partial + chunk).split('\n');
    this.#partial = (parts.pop() ?? '').slice(-MAX_PARTIAL_CHARS);
    for (const line of parts) {
      const seq = this.#dialect.markerSeq(line);
      if (seq !== undefined) {
        const last = this.#lines.at(-1);
        if (last !== undefined && this.#dialect.isLeader(last)) this.#lines.pop();
        replies.push({ seq, lines: this.#lines });
        this.#lines = [];
        this.#inTrailer = true;
        continue;
      }
      if (this.#inTrailer && this.#dialect.isTrailer(line)) continue;
      this.#inTrailer = false;
      if (this.#lines.length < MAX_LINES_PER_BATCH) this.#lines.push(line);
    }
    return replies;
  }

  /** Lines read since the last marker (what a dying process said last). */
  pending(): readonly string[] {
    return this.#partial === '' ? this.#lines : [...this.#lines, this.#partial];
  }
}

const NFT_MARKER = /^spa-ack (\d+)$/;
const NFT_CARETS = /^\s*[\^~]+\s*$/;

/**
 * nft -i: the marker `spa-ack N` is a syntax error that nft reports as three lines: `Error: syntax
 * error, ...`, the line itself, then carets. Parse errors never reach the kernel, so the marker costs
 * no netlink round trip. No generated command can equal the marker: they all start with a verb.
 */
export const NFT_DIALECT: AckDialect = {
  markerLine: (seq) => `spa-ack ${seq}`,
  markerSeq: (line) => parseSeq(NFT_MARKER.exec(line)),
  isLeader: (line) => line.startsWith('Error: syntax error'),
  isTrailer: (line) => NFT_CARETS.test(line),
  errorOf(lines) {
    const at = lines.findIndex((line) => line.includes('Error:'));
    if (at < 0) return undefined;
    const error = lines[at]!.replace(/^.*?Error:\s*/, '');
    // nft prints the offending command on the next line; it makes the message actionable.
    const command = lines[at + 1];
    return command && !NFT_CARETS.test(command) ? `${error}: ${command.slice(0, 160)}` : error;
  },
};

const IPSET_MARKER = /unknown output mode 'spa-ack-(\d+)'$/;

/**
 * ipset - (interactive): the marker `-o spa-ack-N` sets an output mode that does not exist; ipset
 * answers `ipset vX: Syntax error: unknown output mode 'spa-ack-N'` while parsing, without touching
 * the kernel or the session's options. Every other stderr line is an error of the batch.
 */
export const IPSET_DIALECT: AckDialect = {
  markerLine: (seq) => `-o spa-ack-${seq}`,
  markerSeq: (line) => parseSeq(IPSET_MARKER.exec(line)),
  isLeader: () => false,
  isTrailer: (line) => line.startsWith('Try `ipset help'),
  errorOf(lines) {
    const error = lines.find((line) => line.trim() !== '' && !line.startsWith('Try `ipset help'));
    return error?.replace(/^ipset v[\d.]+:\s*/, '');
  },
};

function parseSeq(match: RegExpExecArray | null): number | undefined {
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
