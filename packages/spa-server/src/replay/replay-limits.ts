/** The replay store's bounds, options and verdicts, and how long an entry must be held (docs/protocol.md §6.2, §7). @module */
import { EPOCH_MS } from 'spa-protocol';

export const DEFAULT_REPLAY_CAPACITY = 65_536;
export const DEFAULT_REPLAY_PER_CLIENT = 4096;

export interface ReplayLimits {
  /** The past side of the timestamp window (§7 12), in ms: entries are held until they fall behind it. */
  readonly windowMs: number;
  /** The future side (§7 12), in ms: how far ahead of the clock the high-water mark must stay. */
  readonly futureWindowMs?: number;
  /** Entries held in memory at most; when all are live, new knocks are refused. */
  readonly capacity?: number;
  /** Live entries one key id may hold. */
  readonly perClient?: number;
}

export interface ReplayStoreOptions extends ReplayLimits {
  readonly dir: string;
  readonly futureWindowMs: number;
  readonly clock: () => number;
  /** Moves the durable high-water mark this often (ms) in the background; unset, only advanceMark() does. */
  readonly markEveryMs?: number;
  /** How far ahead of clock + futureWindow a mark is written (MARK_LEAD_MS unless set). */
  readonly markLeadMs?: number;
  /** Told when a background mark write fails (it is retried at the next period). */
  readonly onMarkError?: (error: unknown) => void;
  /**
   * Length of a client-tag epoch (docs/protocol.md §6.2), EPOCH_MS unless set: an entry is held until
   * its timestamp's epoch has left the window (see prune). 1 prunes at the window's edge (tests).
   */
  readonly tagEpochMs?: number;
}

/** What opening found, for one log line. */
export interface ReplayRecovery {
  readonly path: string;
  readonly loaded: number;
  /** Set when a state file could not be fully trusted; knocks with timestamps ≤ floorMs are refused. */
  readonly damage: string | undefined;
  /** The previous run did not stop cleanly (crash, kill -9, power loss): knocks ≤ floorMs are refused. */
  readonly unclean: boolean;
  readonly floorMs: number;
  /** No file was there: the floor is the start time. */
  readonly fresh: boolean;
}

export type ReplayVerdict = 'stale' | 'replay' | undefined;
/** A client tag's epoch, as the protocol defines it (the replay store's default `tagEpochMs`). */
export const TAG_EPOCH_MS = EPOCH_MS;

/** The start of the oldest epoch whose client tags a server with this window holds (§6.2). */
export function tagHorizon(nowMs: number, windowMs: number, epochMs: number = EPOCH_MS): number {
  return Math.floor((nowMs - windowMs) / epochMs) * epochMs;
}

/** Why reserve() wrote nothing (reason codes of shared/reasons.ts). */
export type ReplayRefusal = 'replay' | 'client-replay-full' | 'replay-full';
