/** Makes the firewall driver a configuration asks for. @module */
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { FirewallDriver } from './driver.js';
import { IptablesDriver } from './iptables/iptables.js';
import { type KnockLimit, knockLimitFor } from './knock-limit.js';
import { NftablesDriver } from './nftables/nftables.js';

export interface CreateDriverOptions {
  /** Run the firewall tools inside this network namespace (tests); default: the current one. */
  readonly netns?: string;
  /** The daemon's: nftables listings through long-lived processes (NftablesDriverOptions). */
  readonly residentListings?: boolean;
}

/** What of the configuration the driver depends on: the backend, and the listen ports and rate for the knock limit. */
export type DriverConfig = Pick<ResolvedConfig, 'firewall' | 'listen' | 'rateLimit'> &
  Partial<Pick<ResolvedConfig, 'stateDir'>>;

/** The in-kernel per-source knock limit a driver is made with: a start-time setting, like the table. */
export function driverKnockLimit(config: DriverConfig): KnockLimit {
  return knockLimitFor(
    config.listen.map((l) => l.port),
    config.rateLimit.perSourceRate,
    config.rateLimit.perSourceBurst,
    config.firewall.backend === 'nftables' && config.firewall.knockGate,
  );
}

export function createDriver(config: DriverConfig, options: CreateDriverOptions = {}): FirewallDriver {
  const { netns } = options;
  const { firewall } = config;
  const knockLimit = driverKnockLimit(config);
  if (firewall.backend === 'iptables') {
    return new IptablesDriver({
      variant: firewall.iptablesVariant,
      prefix: firewall.table,
      netns,
      knockLimit,
    });
  }
  // nftables can match the client tag and nonce at their offsets; iptables has no set of 128-bit values.
  const knockGate = firewall.knockGate ? { ports: knockLimit.ports } : undefined;
  // The daemon's own 0700 directory, not the shared temp directory, for the files nft includes.
  const includeDir = config.stateDir;
  return new NftablesDriver({
    table: firewall.table,
    netns,
    knockLimit,
    knockGate,
    residentListings: options.residentListings === true,
    ...(includeDir ? { includeDir } : {}),
  });
}
