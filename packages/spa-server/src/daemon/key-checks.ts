/** §1's subgroup checks that a start or reload left for later, made in short slices between datagrams. @module */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { KeyCache } from '../config/key-cache.js';
import type { ResolvedClient } from '../config/resolved-config.js';
import type { DaemonLog } from '../observability/log.js';
import type { Runtime, RuntimeBuild } from '../pipeline/runtime.js';
import { SLICE_MS } from '../shared/turns.js';

/**
 * Work per turn of the event loop, in ms: a check costs one to two milliseconds of pure-JS
 * arithmetic, so a knock waits for one or two of them at most, also during a reload, whose own slices
 * share each turn with these. An idle daemon runs them back to back: 10,000 new keys are checked in
 * about the time one check each costs (15 s on a slow core) while the daemon serves.
 */
export const KEY_CHECK_SLICE_MS = 2;

/**
 * How the daemon builds each runtime: a key the cache holds costs a lookup; a new key serves at once,
 * its subgroup check made at its first knock or by startKeyChecks, whichever comes first.
 */
export function runtimeBuild(cache: KeyCache | undefined, log: DaemonLog, clock: () => number): RuntimeBuild {
  return {
    known: cache && ((publicKey) => cache.known(publicKey)),
    knows: cache && ((publicKey) => cache.knows(publicKey)),
    built: cache && (() => cache.ahead.finish()),
    pause: () => nextTurn(),
    sliceMs: SLICE_MS,
    clock,
    deferSubgroupCheck: true,
    refused: weakKeyReporter(log),
  };
}

export interface KeyChecks {
  /** Checks the pending keys of the runtime in force (after a start or a swap); one run at a time. */
  kick(): void;
  /** Stops after the slice under way. */
  stop(): Promise<void>;
  /** Resolves once the run under way ends (tests). */
  idle(): Promise<void>;
}

/**
 * A key's first datagram checks it at once (ClientTable.lookup), so no grant waits for this; it only
 * spreads the rest of the work before the datagrams come. `done` gets each runtime that has no key
 * left to check, for the key cache, which records each key's verdict.
 */
export function startKeyChecks(
  current: () => Runtime,
  done: (rt: Runtime) => void,
  sliceMs = KEY_CHECK_SLICE_MS,
): KeyChecks {
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = async (): Promise<void> => {
    while (!stopped) {
      const rt = current();
      if (rt.table.checkPending(sliceMs) === 0) {
        if (rt !== current()) continue; // swapped during the slice: the new table may hold new keys
        done(rt);
        return;
      }
      await nextTurn();
    }
  };
  return {
    kick() {
      if (running || stopped) return;
      running = run().finally(() => {
        running = undefined;
      });
    },
    async stop() {
      stopped = true;
      await running;
    },
    async idle() {
      await running;
    },
  };
}

/**
 * A key that a check after the load refused: one line naming where it is configured, as the same
 * problem found at load does. Its tags leave the table at once, the kernel's gate at its next update.
 */
export function weakKeyReporter(log: DaemonLog): (client: ResolvedClient) => void {
  return (client) =>
    log.event('error', 'client.key-refused', {
      client: client.name,
      message: `${client.keyField}: client public key is a small-order, torsioned, non-canonical or invalid point (docs/protocol.md §1): its knocks are refused until it is replaced`,
    });
}
