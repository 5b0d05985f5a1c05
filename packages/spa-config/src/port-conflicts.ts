/** Checks of the protected port ranges against each other and the firewall backend. @module */
import { isGrantable, isLoopback, parseAddress } from 'spa-protocol';
import { type ConfiguredPort, formatPortSpec, parsePortSpec } from './config-values.js';
import {
  type ForwardedService,
  forwardDestinations,
  isForwardedService,
  type ServiceValue,
  servicePortEntries,
} from './service-entries.js';

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
  services: Readonly<Record<string, ServiceValue>>,
  backend: 'nftables' | 'iptables',
): PortConflict[] {
  const conflicts: PortConflict[] = [];
  const ranges: { spec: ConfiguredPort; where: string }[] = [];
  for (const { text, path } of servicePortEntries(services)) {
    const spec = parsePortSpec(text);
    if (spec?.lastPort === undefined) continue;
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
    ranges.push({ spec, where: `services.${String(path[0])}` });
  }
  for (const [name, value] of Object.entries(services)) {
    if (isForwardedService(value)) conflicts.push(...forwardConflicts(name, value, services, backend));
  }
  return conflicts;
}

/**
 * A forwarded port is one element of the kernel's map from gateway port to internal host: a single
 * port, nowhere else in the configuration (a grant of the other service would lead to this host),
 * at most one destination per family, and a destination that is another host (the kernel does not
 * route a DNAT to loopback; unspecified and multicast addresses lead nowhere). Only nftables has the map.
 */
function forwardConflicts(
  name: string,
  value: ForwardedService,
  services: Readonly<Record<string, ServiceValue>>,
  backend: 'nftables' | 'iptables',
): PortConflict[] {
  const conflicts: PortConflict[] = [];
  if (backend === 'iptables') {
    return [
      {
        path: [name, 'forward'],
        message: 'forwarding to an internal host needs firewall.backend "nftables"',
      },
    ];
  }
  const spec = parsePortSpec(value.port);
  if (spec?.lastPort !== undefined) {
    conflicts.push({
      path: [name, 'port'],
      message: `${value.port}: a forwarded service has a single port, not a range`,
    });
  } else if (spec) {
    const other = servicePortEntries(services).find(({ text, path }) => {
      const p = parsePortSpec(text);
      return path[0] !== name && p !== undefined && overlaps(p, spec);
    });
    if (other) {
      conflicts.push({
        path: [name, 'port'],
        message: `${value.port} is also a port of services.${String(other.path[0])}: a forwarded port belongs to one service`,
      });
    }
  }
  const destinations = forwardDestinations(value);
  for (const family of [4, 6]) {
    if (destinations.filter((d) => parseAddress(d.address)?.family === family).length > 1) {
      conflicts.push({ path: [name, 'forward'], message: `more than one IPv${family} destination` });
    }
  }
  for (const destination of destinations) {
    const address = parseAddress(destination.address);
    if (address && (!isGrantable(address) || isLoopback(address))) {
      conflicts.push({
        path: [name, 'forward'],
        message: `${address.text}: forward needs another host's address, not a loopback, multicast or unspecified one`,
      });
    }
  }
  return conflicts;
}

function overlaps(a: ConfiguredPort, b: ConfiguredPort): boolean {
  return a.protocol === b.protocol && a.port <= (b.lastPort ?? b.port) && b.port <= (a.lastPort ?? a.port);
}
