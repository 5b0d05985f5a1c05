/** Checks of one-shot clients: a backend that can spend a grant, and services of single TCP ports only. @module */
import { formatPortSpec, parsePortSpec } from './config-values.js';
import { isForwardedService, type ServiceValue } from './service-entries.js';

/** What the check needs of a client, wherever it was configured (server.json or authorized keys). */
export interface OneShotEntry {
  readonly services: readonly string[];
  readonly oneShot?: boolean | undefined;
}

export interface OneShotConflict {
  /** Index into the list given; the field is always the client's `oneShot`. */
  readonly index: number;
  readonly message: string;
}

/**
 * A one-shot client (spa-server README, "One-shot grants") with the iptables backend, which has no
 * rule that deletes a grant on the first connection, or with a service holding a UDP port or a port
 * range: the kernel spends a grant on a new TCP connection to one port, so anything else would stay
 * open to everyone sharing the client's address until the timeout, which is what the option forbids.
 * A forwarded service is refused too: the forward chain admits plain grants only, so a one-shot
 * grant there would never open.
 * Unknown services and ports that do not parse are skipped: they are reported where each is checked.
 */
export function findOneShotConflicts(
  clients: readonly OneShotEntry[],
  services: Readonly<Record<string, ServiceValue>>,
  backend: 'nftables' | 'iptables',
): OneShotConflict[] {
  const conflicts: OneShotConflict[] = [];
  for (const [index, client] of clients.entries()) {
    if (client.oneShot !== true) continue;
    if (backend === 'iptables') {
      conflicts.push({
        index,
        message:
          'needs firewall.backend "nftables": the iptables backend cannot end a grant at the first connection',
      });
      continue;
    }
    for (const name of new Set(client.services)) {
      const value = services[name];
      if (value === undefined) continue;
      if (isForwardedService(value)) {
        conflicts.push({
          index,
          message: `service "${name}" is forwarded to an internal host: one-shot grants are for local ports only`,
        });
        continue;
      }
      const texts = typeof value === 'string' ? [value] : value;
      const wrong = texts
        .map(parsePortSpec)
        .find((p) => p && (p.protocol !== 'tcp' || p.lastPort !== undefined));
      if (wrong) {
        conflicts.push({
          index,
          message: `service "${name}" has ${formatPortSpec(wrong)}: one-shot grants are for single TCP ports only`,
        });
      }
    }
  }
  return conflicts;
}
