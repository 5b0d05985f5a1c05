/** The grant keeper's integrity check: one at a time, light or full as planned, the table read beside the grant queue, repaired only after a second read in it. @module */
import type { IntactScope } from '../firewall/driver.js';
import type { CheckPlan } from './integrity-planner.js';

export interface IntegrityCheckParts {
  /** Whether the driver's objects are all there; undefined when they could not be read (logged). */
  readonly isIntact: (scope: IntactScope) => Promise<boolean | undefined>;
  /** Runs work in the grant queue, between grants. */
  readonly inQueue: (work: () => Promise<void>) => Promise<void>;
  /** Rebuilds the table and restores the grants (logs and counts its own failures). */
  readonly repair: () => Promise<void>;
  /** Which check is due (integrity-planner.ts); every check is full without one. */
  readonly planner?: {
    begin(): CheckPlan;
    done(plan: CheckPlan, intact: boolean | undefined): void;
  };
}

/**
 * A check asked for while one runs runs once more after it, never twice at once. The first read is
 * beside the queue: nft listings of a large table take hundreds of ms, which queued grants would
 * wait. A table found damaged is read again in the queue (no setup half-way), fully, then repaired.
 */
export function createIntegrityCheck(parts: IntegrityCheckParts): () => Promise<void> {
  let checking = false;
  let again = false;
  const check = async (): Promise<void> => {
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    try {
      const plan = parts.planner?.begin();
      const scope = plan?.scope ?? 'full';
      const intact = await parts.isIntact(scope);
      if (intact === false) {
        await parts.inQueue(async () => {
          if ((await parts.isIntact('full')) === false) await parts.repair();
        });
      }
      if (plan) parts.planner?.done(plan, intact);
    } finally {
      checking = false;
    }
    if (again) {
      again = false;
      await check();
    }
  };
  return check;
}
