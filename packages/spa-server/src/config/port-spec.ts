/** Ports and port ranges as the daemon compares and prints them. @module */
import type { PortSpec } from './resolved-config.js';

/** `tcp/22`, `tcp/8000-8010`: the config's spelling, and the one key for a port or range. */
export function portText(spec: PortSpec): string {
  return spec.lastPort === undefined
    ? `${spec.protocol}/${spec.port}`
    : `${spec.protocol}/${spec.port}-${spec.lastPort}`;
}

/** The spec without any other field a caller's object carries (a grant's address, ...). */
export function portOnly(spec: PortSpec): PortSpec {
  return spec.lastPort === undefined
    ? { protocol: spec.protocol, port: spec.port }
    : { protocol: spec.protocol, port: spec.port, lastPort: spec.lastPort };
}

/**
 * True when `allowed` lets a client open `asked`: a single port anywhere inside it, a range only
 * when it is that same range. A range inside a larger one is never granted: nftables keeps ranges
 * in interval sets that refuse overlapping elements for one address, so a range left from an older
 * configuration must go (reload revokes what this refuses) before the new one can be granted.
 */
export function portAllows(allowed: PortSpec, asked: PortSpec): boolean {
  if (allowed.protocol !== asked.protocol) return false;
  if (asked.lastPort !== undefined) return allowed.port === asked.port && allowed.lastPort === asked.lastPort;
  return allowed.port <= asked.port && asked.port <= (allowed.lastPort ?? allowed.port);
}

/** Sort order: protocol, first port, then a single port before the ranges starting there. */
export function comparePorts(a: PortSpec, b: PortSpec): number {
  return (
    a.protocol.localeCompare(b.protocol) || a.port - b.port || (a.lastPort ?? a.port) - (b.lastPort ?? b.port)
  );
}
