/** The options of the iptables driver: which iptables, names, executables, namespace, bounds. @module */

import type { KernelDriverOptions } from '../kernel-driver.js';
import type { IptablesTool } from './iptables-tools.js';

export interface IptablesDriverOptions extends KernelDriverOptions {
  /** Which iptables to drive: iptables-nft (default) or iptables-legacy. */
  readonly variant?: 'nft' | 'legacy';
  /** Names the sets (`spa4`, `spa6`) and the chain (`SPA-INPUT`). Default 'spa'. */
  readonly prefix?: string;
  /** Executables (absolute path or name searched in PATH and sbin); defaults follow the variant. */
  readonly paths?: Partial<Record<IptablesTool, string>>;
  /** A monotonic clock in ms for the jump's contended place (jump-contention.ts); for tests. */
  readonly contentionClock?: () => number;
}
