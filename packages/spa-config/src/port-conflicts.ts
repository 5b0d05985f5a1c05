/** Checks of the protected port ranges against each other and the firewall backend. @module */
import { type ConfiguredPort, formatPortSpec, parsePortSpec } from './config-values.js';

export interface PortConflict {
  /** Path under `services`: the service name, and the index when its value is a list. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * A range that partly overlaps another range of the same protocol (nftables keeps ranges in an
 * interval set, which refuses overlapping elements for one address, so one of the two grants would
 * fail), and any range when the backend is iptables (ipset stores a range as one element per port:
 * `tcp/1-65535` alone would fill a set of 65,536, and a single-port grant inside a range would share
 * its element, so closing one would cut a hole in the other). The same range written twice is one
 * kernel element and no conflict. Entries that do not parse are skipped: they are reported where
 * each is checked.
 */
export function findPortConflicts(
  services: Readonly<Record<string, string | readonly string[]>>,
  backend: 'nftables' | 'iptables',
): PortConflict[] {
  const conflicts: PortConflict[] = [];
  const ranges: { spec: ConfiguredPort; where: string }[] = [];
  for (const [name, value] of Object.entries(services)) {
    const texts = typeof value === 'string' ? [value] : value;
    for (const [index, text] of texts.entries()) {
      const spec = parsePortSpec(text);
      if (spec?.lastPort === undefined) continue;
      const path = typeof value === 'string' ? [name] : [name, index];
      if (backend === 'iptables') {
        conflicts.push({
          path,
          message: `${text}: port ranges need firewall.backend "nftables" (ipset stores a range as one element per port)`,
        });
        continue;
      }
      const other = ranges.find((r) => overlaps(r.spec, spec) && formatPortSpec(r.spec) !== text);
      if (other) {
        conflicts.push({
          path,
          message: `${text} overlaps ${formatPortSpec(other.spec)} (${other.where}): ranges may only be equal or disjoint`,
        });
      }
      ranges.push({ spec, where: `services.${name}` });
    }
  }
  return conflicts;
}

function overlaps(a: ConfiguredPort, b: ConfiguredPort): boolean {
  return a.protocol === b.protocol && a.port <= (b.lastPort ?? b.port) && b.port <= (a.lastPort ?? a.port);
}
