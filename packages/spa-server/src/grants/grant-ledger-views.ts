/** What the grant ledger reports of an element: its state after a change, and one owner's share. @module */
import type { GrantTarget } from '../firewall/driver.js';

/** What the kernel element must become after a change: its timeout and owner names, or gone. */
export interface ElementState {
  readonly target: GrantTarget;
  /** Latest expiry over all owners; undefined when no owner is left (delete the element). */
  readonly expiresAtMs: number | undefined;
  /** Owner names, earliest owner first. */
  readonly names: readonly string[];
}

/** One owner's share of an element. */
export interface Ownership {
  readonly name: string;
  readonly expiresAtMs: number;
}
