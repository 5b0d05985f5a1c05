/** What the daemon vouches for in `status`: a whole table, checked after the last change the kernel reported, while its event stream runs. */
import { describe, expect, it } from 'vitest';
import { SHAPE_VOUCH_MS, ShapeWitness, STREAM_SETTLE_MS } from './shape-witness.js';

describe('ShapeWitness', () => {
  let now = 0;
  const clock = (): number => now;
  /** A witness whose event stream started long enough ago. */
  const watched = (): ShapeWitness => {
    now = 1000;
    const w = new ShapeWitness(clock);
    w.watching(true);
    now += STREAM_SETTLE_MS;
    return w;
  };
  const check = (w: ShapeWitness, intact: boolean | undefined): void => w.checked(w.begin(), intact);

  it('vouches after a check that found the table whole, with the time since the check began', () => {
    const w = watched();
    expect(w.vouchedAgoMs()).toBeUndefined();
    const token = w.begin();
    now += 100;
    w.checked(token, true);
    now += 150;
    expect(w.vouchedAgoMs()).toBe(250);
  });

  it('a change reported during a check: that check vouches for nothing, the next one does', () => {
    const w = watched();
    const token = w.begin();
    w.changed();
    w.checked(token, true);
    expect(w.vouchedAgoMs()).toBeUndefined();
    check(w, true);
    expect(w.vouchedAgoMs()).toBe(0);
  });

  it('a change withdraws the vouch at once; a damaged or unreadable table is never vouched for', () => {
    const w = watched();
    check(w, true);
    w.changed();
    expect(w.vouchedAgoMs()).toBeUndefined();
    check(w, true);
    check(w, false);
    expect(w.vouchedAgoMs()).toBeUndefined();
    check(w, true);
    check(w, undefined);
    expect(w.vouchedAgoMs()).toBeUndefined();
  });

  it('nothing while the event stream is down, nor from a check begun just after it started', () => {
    now = 1000;
    const w = new ShapeWitness(clock);
    check(w, true);
    expect(w.vouchedAgoMs()).toBeUndefined();
    w.watching(true);
    check(w, true); // the stream may not be subscribed yet
    expect(w.vouchedAgoMs()).toBeUndefined();
    now += STREAM_SETTLE_MS;
    check(w, true);
    expect(w.vouchedAgoMs()).toBe(0);
    w.watching(false);
    expect(w.vouchedAgoMs()).toBeUndefined();
    check(w, true);
    expect(w.vouchedAgoMs()).toBeUndefined();
  });

  it('an old check is not vouched for: checks that stopped succeeding send status to the kernel', () => {
    const w = watched();
    check(w, true);
    now += SHAPE_VOUCH_MS;
    expect(w.vouchedAgoMs()).toBe(SHAPE_VOUCH_MS);
    now += 1;
    expect(w.vouchedAgoMs()).toBeUndefined();
    now -= SHAPE_VOUCH_MS + 2; // a clock stepped back
    expect(w.vouchedAgoMs()).toBeUndefined();
  });
});
