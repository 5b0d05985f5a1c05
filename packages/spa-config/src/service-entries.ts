/** A service's value in server.json, read one way: its port texts with their paths, and where it forwards. Pure. @module */
import { parseSocketAddress, type SocketAddress } from './config-values.js';

/** `"db": {"port": "tcp/15432", "forward": "10.0.0.5:5432"}`: a gateway port that leads to an internal host. */
export interface ForwardedService {
  readonly port: string;
  /** The internal host's `ip:port` or `[ipv6]:port`; a list holds at most one of each family. */
  readonly forward: string | readonly string[];
}

/** `"tcp/22"`, `["tcp/80", "tcp/443"]`, or a forwarded port. */
export type ServiceValue = string | readonly string[] | ForwardedService;

/** One port text of a service and its path under `services` (the name, then an index or `port`). */
export interface ServicePortEntry {
  readonly text: string;
  readonly path: readonly (string | number)[];
}

/** True for the `{port, forward}` form. */
export function isForwardedService(value: ServiceValue): value is ForwardedService {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every port text of every service, with the path a config error names. */
export function servicePortEntries(services: Readonly<Record<string, ServiceValue>>): ServicePortEntry[] {
  const entries: ServicePortEntry[] = [];
  for (const [name, value] of Object.entries(services)) {
    if (typeof value === 'string') entries.push({ text: value, path: [name] });
    else if (isForwardedService(value)) entries.push({ text: value.port, path: [name, 'port'] });
    else for (const [index, text] of value.entries()) entries.push({ text, path: [name, index] });
  }
  return entries;
}

/** A forwarded service's destinations, parsed; entries that do not parse are left out (reported where checked). */
export function forwardDestinations(value: ForwardedService): SocketAddress[] {
  const texts = typeof value.forward === 'string' ? [value.forward] : value.forward;
  return texts.flatMap((text) => parseSocketAddress(text) ?? []);
}
