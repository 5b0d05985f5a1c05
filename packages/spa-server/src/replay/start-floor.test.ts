/** The start floor: trusted after a clean stop, raised over the future window and the durable mark after an unclean one, whatever the clock did. */
import { describe, expect, it } from 'vitest';
import type { LoadedMarkFile } from './mark-file.js';
import type { LoadedReplayFile } from './replay-file.js';
import { startFloor } from './start-floor.js';

const T0 = 1_700_000_000_000;
const WINDOW = 60_000;
const FUTURE = 5000;
const LEAD = 3000;

const file = (over: Partial<LoadedReplayFile> = {}): LoadedReplayFile => ({
  exists: true,
  floorMs: T0 - 30_000,
  records: [{ id: new Uint8Array(32), timestampMs: T0 - 1000 }],
  damage: undefined,
  mtimeMs: T0,
  ...over,
});
const mark = (clean: boolean, markMs: number): LoadedMarkFile => ({
  exists: true,
  state: { seq: 7, clean, markMs },
  mtimeMs: T0,
});
const floor = (nowMs: number, f: LoadedReplayFile, m: LoadedMarkFile) =>
  startFloor({ nowMs, windowMs: WINDOW, futureWindowMs: FUTURE, markLeadMs: LEAD, file: f, mark: m });

describe('start floor', () => {
  it('after a clean stop: the floor replay.bin holds, nothing raised', () => {
    expect(floor(T0 + 10_000, file(), mark(true, T0 + 9000))).toEqual({
      floorMs: T0 - 30_000,
      unclean: false,
      damage: undefined,
    });
  });

  it('after an unclean stop, the clock gone on: up to the restart clock + the future window', () => {
    // The last mark was written long before (an idle disk never stalls it, but a restart can come late).
    const r = floor(T0 + 60_000, file(), mark(false, T0 + FUTURE + LEAD));
    expect(r).toMatchObject({ floorMs: T0 + 60_000 + FUTURE, unclean: true });
  });

  it('after an unclean stop, the clock stepped back across the reboot: up to the durable mark', () => {
    // The previous run accepted knocks up to T0 + FUTURE at its clock T0; the restart clock reads an hour earlier.
    const r = floor(T0 - 3_600_000, file(), mark(false, T0 + FUTURE + LEAD));
    expect(r.floorMs).toBe(T0 + FUTURE + LEAD);
    expect(r.floorMs).toBeGreaterThan(T0 + FUTURE); // every timestamp the old run could accept
  });

  it('a mark file with no valid slot: its mtime stands in for the last mark', () => {
    const torn: LoadedMarkFile = { exists: true, state: undefined, mtimeMs: T0 + 0.5 };
    const r = floor(T0 - 3_600_000, file(), torn);
    expect(r).toMatchObject({ floorMs: T0 + 1 + FUTURE + LEAD, unclean: true });
    expect(r.damage).toMatch(/replay\.mark/);
  });

  it('no mark file beside a replay.bin (written by a release that synced every record): trusted', () => {
    const none: LoadedMarkFile = { exists: false, state: undefined, mtimeMs: 0 };
    expect(floor(T0, file(), none)).toMatchObject({ floorMs: T0 - 30_000, unclean: false });
  });

  it('no state at all: just below the start', () => {
    const none: LoadedMarkFile = { exists: false, state: undefined, mtimeMs: 0 };
    const empty = file({ exists: false, floorMs: 0, records: [], mtimeMs: 0 });
    expect(floor(T0, empty, none)).toMatchObject({ floorMs: T0 - 1, unclean: false });
  });

  it('replay.bin removed after an unclean stop: the mark still covers the lost run', () => {
    const empty = file({ exists: false, floorMs: 0, records: [], mtimeMs: 0 });
    expect(floor(T0 - 3_600_000, empty, mark(false, T0 + 8000)).floorMs).toBe(T0 + 8000);
  });

  it('replay.bin removed after a clean stop: the mark covers what that run accepted', () => {
    const gone = file({ exists: false, records: [], floorMs: 0 });
    const r = floor(T0 + 1000, gone, mark(true, T0 + FUTURE + LEAD));
    expect(r).toMatchObject({ floorMs: T0 + FUTURE + LEAD, unclean: false });
    expect(r.damage).toMatch(/replay\.bin/);
  });

  it('damage and an unclean stop together: the higher of both floors', () => {
    const damaged = file({ damage: 'torn last record (7 bytes)', mtimeMs: T0 + 10 });
    const r = floor(T0 + 20, damaged, mark(false, T0 + 9000));
    expect(r).toMatchObject({ floorMs: T0 + 10 + WINDOW, unclean: true });
    expect(r.damage).toMatch(/torn/);
  });
});
