/** The options of the iptables driver: which iptables, names, executables, namespace, bounds. @module */

import type { KnockLimit } from '../knock-limit.js';
import type { IptablesTool } from './iptables-tools.js';

export interface IptablesDriverOptions {
  /** Which iptables to drive: iptables-nft (default) or iptables-legacy. */
  readonly variant?: 'nft' | 'legacy';
  /** Names the sets (`spa4`, `spa6`) and the chain (`SPA-INPUT`). Default 'spa'. */
  readonly prefix?: string;
  /** Executables (absolute path or name searched in PATH and sbin); defaults follow the variant. */
  readonly paths?: Partial<Record<IptablesTool, string>>;
  /** Run every command inside this network namespace (`ip netns exec`); for tests. */
  readonly netns?: string;
  /** A command not answered within this time fails. Default 10 s. */
  readonly timeoutMs?: number;
  /** Grant/revoke batches waiting for ipset beyond this are refused. Default 10,000. */
  readonly maxPending?: number;
  /** Per-source limit on the daemon's UDP ports, first in the chain (see knock-limit.ts). */
  readonly knockLimit?: KnockLimit;
}
