/** Merging the mergeable batches at the head of a line shell's queue into one write, settled as a whole. @module */
import type { ServerError } from '../../shared/server-error.js';

/** One unit written to the tool, followed by its marker line. */
export interface Batch {
  readonly seq: number;
  readonly text: string;
  /** May be merged with its neighbours in the queue. */
  readonly merge: boolean;
  readonly resolve: () => void;
  readonly reject: (error: ServerError) => void;
  /** The batches a merged batch stands for, in queue order. */
  readonly parts?: readonly Batch[];
  /** Frees what the merge needed (its file) once the tool has answered or died. */
  readonly release?: (() => void) | undefined;
  timer?: NodeJS.Timeout;
}

/** What a merge writes to the tool, and what to free once the tool has answered it. */
export interface JoinedBatch {
  readonly text: string;
  readonly release?: () => void;
}

/** Joins batch texts into one batch (a single line) that the tool applies all or nothing. */
export type JoinBatches = (texts: readonly string[]) => JoinedBatch;

/**
 * Batches per merge. A failed merge runs each of them again alone, so this bounds the work a
 * failure costs; nft also reads a line one byte per system call (libedit), about 250 bytes a grant.
 */
export const MAX_MERGED_BATCHES = 64;

/**
 * Takes the next unit off a non-empty queue: the head alone, or the run of mergeable batches
 * starting at the head (up to MAX_MERGED_BATCHES), joined; settling it settles each of them.
 */
export function takeBatch(queue: Batch[], join: JoinBatches, nextSeq: () => number): Batch {
  let count = 0;
  while (count < queue.length && count < MAX_MERGED_BATCHES && queue[count]!.merge) count++;
  if (count < 2) return queue.shift()!;
  const parts = queue.splice(0, count);
  const joined = join(parts.map((part) => part.text));
  return {
    seq: nextSeq(),
    text: joined.text,
    merge: true,
    parts,
    release: joined.release,
    resolve: () => {
      for (const part of parts) part.resolve();
    },
    reject: (error) => {
      for (const part of parts) part.reject(error);
    },
  };
}
