/** At each client's `expires`: ends what it opened before `expires` was set or brought forward, which the policy's cap could not. @module */
import type { GrantKeeper } from '../grants/grant-keeper-api.js';
import type { DaemonLog } from '../observability/log.js';
import type { Runtime } from '../pipeline/runtime.js';
import { stillAllowed } from '../pipeline/still-allowed.js';
import { recheckInherited } from './inherit-grants.js';

export interface ClientExpiryTargets {
  readonly grants: GrantKeeper;
  readonly log: DaemonLog;
  readonly clock: () => number;
  /** The runtime in force: a reload swaps it. */
  current(): Runtime;
}

/** The distinct `expires` instants of a runtime's clients, ascending: made once per runtime. */
const instantsOf = new WeakMap<Runtime, readonly number[]>();

function instants(rt: Runtime): readonly number[] {
  let known = instantsOf.get(rt);
  if (known === undefined) {
    const all = new Set<number>();
    for (const c of rt.config.clients) if (c.expiresAtMs !== undefined) all.add(c.expiresAtMs);
    known = [...all].sort((a, b) => a - b);
    instantsOf.set(rt, known);
  }
  return known;
}

/** True when one of `sorted`'s instants is in (after, upTo]. */
function passedBetween(sorted: readonly number[], after: number, upTo: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo]! <= upTo;
}

/**
 * A knock's grant never outlasts its client's `expires` (the policy caps it), and a reload or a
 * restart revokes what an expired client holds. Left were grants given before `expires` was set or
 * brought forward: they kept their end until the next reload. Called every second, this revokes them
 * within a second of the instant, by the same check a reload makes (the ledger's by key, the earlier
 * run's by name), with `close` hooks of reason `expired`. Costs nothing between instants: a binary
 * search of the runtime's sorted instants.
 */
export function clientExpiry(t: ClientExpiryTargets): () => Promise<void> {
  let checkedUpTo = t.clock();
  let running = false;
  return async () => {
    if (running) return; // the next tick looks again from where this one started
    const now = t.clock();
    const rt = t.current();
    if (!passedBetween(instants(rt), checkedUpTo, now)) {
      checkedUpTo = now;
      return;
    }
    running = true;
    try {
      await t.grants.revokeUnless((keyId, target) => stillAllowed(rt, keyId, target, now), 'expired');
      await recheckInherited({ grants: t.grants, log: t.log, runtime: rt, clock: () => now }, 'expired');
      checkedUpTo = now;
    } finally {
      running = false;
    }
  };
}
