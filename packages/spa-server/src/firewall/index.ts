/** The firewall layer's face to code outside the daemon (the benchmark drives the drivers directly). @module */

export { createDriver, type DriverConfig, driverKnockLimit } from './create-driver.js';
export type { FirewallDriver, Grant } from './driver.js';
export { IptablesDriver } from './iptables/iptables.js';
export { nftGrantCommands, nftTransaction } from './nftables/nft-script.js';
export { NftablesDriver } from './nftables/nftables.js';
