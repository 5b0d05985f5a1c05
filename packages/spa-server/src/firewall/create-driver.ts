/** Makes the firewall driver a configuration asks for. @module */
import type { ResolvedFirewall } from '../config/resolved-config.js';
import type { FirewallDriver } from './driver.js';
import { IptablesDriver } from './iptables/iptables.js';
import { NftablesDriver } from './nftables/nftables.js';

export interface CreateDriverOptions {
  /** Run the firewall tools inside this network namespace (tests); default: the current one. */
  readonly netns?: string;
}

export function createDriver(firewall: ResolvedFirewall, options: CreateDriverOptions = {}): FirewallDriver {
  const { netns } = options;
  const { knockLimit } = firewall;
  if (firewall.backend === 'iptables') {
    return new IptablesDriver({
      variant: firewall.iptablesVariant,
      prefix: firewall.table,
      netns,
      knockLimit,
    });
  }
  return new NftablesDriver({ table: firewall.table, netns, knockLimit });
}
