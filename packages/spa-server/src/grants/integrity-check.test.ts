/** The integrity check as planned: a light read while vouched, a full one otherwise, and a repair only after a full read in the queue. */
import { describe, expect, it } from 'vitest';
import type { IntactScope } from '../firewall/driver.js';
import { createIntegrityCheck } from './integrity-check.js';
import { IntegrityPlanner } from './integrity-planner.js';
import { STREAM_SETTLE_MS } from './shape-witness.js';

/** A check over a fake table: `whole` says what every read finds; every step is recorded. */
function harness(planner?: IntegrityPlanner) {
  const steps: string[] = [];
  const state = { whole: true as boolean | undefined };
  const check = createIntegrityCheck({
    ...(planner ? { planner } : {}),
    isIntact: async (scope: IntactScope) => {
      steps.push(`read ${scope}`);
      return state.whole;
    },
    inQueue: async (work) => {
      steps.push('queue');
      await work();
    },
    repair: async () => {
      steps.push('repair');
      state.whole = true;
    },
  });
  return { check, steps, state };
}

describe('createIntegrityCheck', () => {
  let now = 0;
  const clock = (): number => now;
  const streaming = (): IntegrityPlanner => {
    now = 1000;
    const p = new IntegrityPlanner(clock);
    p.watching(true);
    now += STREAM_SETTLE_MS;
    return p;
  };

  it('without a planner: every check is full', async () => {
    const { check, steps } = harness();
    await check();
    await check();
    expect(steps).toEqual(['read full', 'read full']);
  });

  it('vouched: a light read only; a reported change brings the full check back', async () => {
    const planner = streaming();
    const { check, steps } = harness(planner);
    await check();
    await check();
    await check();
    expect(steps).toEqual(['read full', 'read light', 'read light']);
    steps.length = 0;
    planner.changed(); // `nft insert rule inet spa input accept`
    await check();
    await check();
    expect(steps).toEqual(['read full', 'read light']);
  });

  it('damage found by a light read: read again fully in the queue, repaired, the next check full', async () => {
    const planner = streaming();
    const { check, steps, state } = harness(planner);
    await check();
    await check();
    state.whole = false; // e.g. a rule deleted while the stream's event was lost
    steps.length = 0;
    await check();
    expect(steps).toEqual(['read light', 'queue', 'read full', 'repair']);
    steps.length = 0;
    await check();
    expect(steps).toEqual(['read full']);
  });

  it('an unreadable table is neither repaired nor vouched for', async () => {
    const planner = streaming();
    const { check, steps, state } = harness(planner);
    state.whole = undefined;
    await check();
    await check();
    expect(steps).toEqual(['read full', 'read full']);
  });
});
