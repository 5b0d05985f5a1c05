/** What the grant ledger reports of an element: its state after a change, and one owner's share. @module */
import type { Grant, GrantTarget } from '../firewall/driver.js';
import { ownerComment } from '../firewall/grant-values.js';

/** What the kernel element must become after a change: its timeout and owners, or gone. */
export interface ElementState {
  readonly target: GrantTarget;
  /** Latest expiry over all owners; undefined when no owner is left (delete the element). */
  readonly expiresAtMs: number | undefined;
  /**
   * The owners as the element's comment names them, earliest first: each name with its key's tag
   * (`alice:0123456789ab`, ownerLabel), so that a restart can tell a key rotated under the same name.
   */
  readonly names: readonly string[];
}

/** One owner's share of an element. */
export interface Ownership {
  readonly name: string;
  readonly expiresAtMs: number;
}

/** Whole seconds from `nowMs` to `expiresAtMs`, at least 1: the kernel's timeout for a live element. */
export function secondsLeft(expiresAtMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((expiresAtMs - nowMs) / 1000));
}

/** The driver's grant for an element state with owners left. */
export function grantOf(state: ElementState, now: number): Grant {
  const t = state.target;
  const timeoutSeconds = secondsLeft(state.expiresAtMs ?? now, now);
  const client = ownerComment(state.names);
  // A literal of one shape for the usual target: spreading the target cost the most of a status's
  // 100,000 grants.
  if (t.lastPort === undefined && t.once === undefined) {
    const { family, address, protocol, port } = t;
    return { family, address, protocol, port, timeoutSeconds, client };
  }
  return { ...t, timeoutSeconds, client };
}
