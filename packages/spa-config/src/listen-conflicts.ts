/** Checks of the listen addresses against each other and the protected ports. @module */
import { type ConfiguredPort, formatPortSpec, parsePortSpec, parseSocketAddress } from './config-values.js';
import { type ServiceValue, servicePortEntries } from './service-entries.js';

export interface ListenConflict {
  /** Index into `listen`. */
  readonly index: number;
  readonly message: string;
}

/**
 * Duplicates, and a knock port that is itself a protected UDP port (every knock would be dropped).
 * Entries that do not parse are skipped: they are reported where each is checked.
 */
export function findListenConflicts(
  listen: readonly string[],
  services: Readonly<Record<string, ServiceValue>>,
): ListenConflict[] {
  const protectedUdp: ConfiguredPort[] = [];
  for (const { text } of servicePortEntries(services)) {
    const spec = parsePortSpec(text);
    if (spec?.protocol === 'udp') protectedUdp.push(spec);
  }
  const conflicts: ListenConflict[] = [];
  const seen = new Set<string>();
  for (const [index, text] of listen.entries()) {
    const socket = parseSocketAddress(text);
    if (!socket) continue;
    const key = `${socket.address}:${socket.port}`;
    if (seen.has(key)) conflicts.push({ index, message: `${text} is listed twice` });
    seen.add(key);
    const port = socket.port;
    const hit = protectedUdp.find((p) => p.port <= port && port <= (p.lastPort ?? p.port));
    if (hit) {
      conflicts.push({
        index,
        message: `port ${port} is also a protected service port (${formatPortSpec(hit)}): knocks would be dropped`,
      });
    }
  }
  return conflicts;
}
