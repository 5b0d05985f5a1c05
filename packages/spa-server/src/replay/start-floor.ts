/** The replay floor a start begins with: what the state files vouch for, raised over everything an unclean stop may have lost. @module */
import type { LoadedMarkFile } from './mark-file.js';
import type { LoadedReplayFile } from './replay-file.js';

export interface StartFloorInput {
  readonly nowMs: number;
  /** The past side of the timestamp window (§7 12). */
  readonly windowMs: number;
  /** The future side: the previous run accepted timestamps up to its clock plus this. */
  readonly futureWindowMs: number;
  /** How far ahead of clock + futureWindow the high-water mark is written. */
  readonly markLeadMs: number;
  readonly file: LoadedReplayFile;
  readonly mark: LoadedMarkFile;
}

export interface StartFloor {
  /** Knocks timestamped at or below this are refused (`stale`). */
  readonly floorMs: number;
  /** The previous run did not stop cleanly: records it appended may be lost, the floor covers them. */
  readonly unclean: boolean;
  /** What about the state files could not be trusted, for the log; undefined when they all could. */
  readonly damage: string | undefined;
}

/**
 * Whatever the previous run accepted is either in replay.bin (it stopped cleanly, or it is a run that
 * synced every record: no mark file beside a replay.bin) or at or below the floor returned. After an
 * unclean stop the records appended since the last clean start may be gone, but every knock that run
 * accepted lay below its durable high-water mark, and below its own clock + futureWindow; the restart
 * clock covers the latter unless the clock stepped back, which the mark covers. Without a readable
 * mark, its file's mtime stands in for the last mark written (as replay.bin's does for its records).
 */
export function startFloor(input: StartFloorInput): StartFloor {
  const { nowMs, file, mark } = input;
  // No state at all: nothing was accepted before; a knock stamped at the very start is still accepted.
  let floor = file.exists ? file.floorMs : nowMs - 1;
  const damage: string[] = [];
  const newest = file.records.reduce((m, r) => Math.max(m, r.timestampMs), 0);
  if (file.damage) {
    damage.push(`replay.bin: ${file.damage}`);
    floor = Math.max(floor, Math.ceil(file.mtimeMs) + input.windowMs, newest);
  }
  const unclean = mark.exists && !mark.state?.clean;
  const previousMark =
    mark.state?.markMs ?? Math.ceil(mark.mtimeMs) + input.futureWindowMs + input.markLeadMs;
  if (unclean) {
    if (!mark.state) damage.push('replay.mark: no valid slot');
    floor = Math.max(floor, nowMs + input.futureWindowMs, previousMark, newest);
  } else if (mark.exists && !file.exists) {
    // A clean stop's records are gone (replay.bin removed): everything that run accepted lay below
    // its mark, so the mark is the floor.
    damage.push('replay.bin: missing beside replay.mark');
    floor = Math.max(floor, previousMark);
  }
  return { floorMs: floor, unclean, damage: damage.length > 0 ? damage.join('; ') : undefined };
}
