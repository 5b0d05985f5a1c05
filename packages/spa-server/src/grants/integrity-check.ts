/** The grant keeper's integrity check: one at a time, the table read beside the grant queue, repaired only after a second read in it. @module */

export interface IntegrityCheckParts {
  /** Whether the driver's objects are all there; undefined when they could not be read (logged). */
  readonly isIntact: () => Promise<boolean | undefined>;
  /** Runs work in the grant queue, between grants. */
  readonly inQueue: (work: () => Promise<void>) => Promise<void>;
  /** Rebuilds the table and restores the grants (logs and counts its own failures). */
  readonly repair: () => Promise<void>;
}

/**
 * A check asked for while one runs runs once more after it, never twice at once. The first read is
 * beside the queue: nft listings of a large table take hundreds of ms, which queued grants would
 * wait. A table found damaged is read again in the queue (no setup half-way), then repaired.
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
      if ((await parts.isIntact()) === false) {
        await parts.inQueue(async () => {
          if ((await parts.isIntact()) === false) await parts.repair();
        });
      }
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
