/** A grant as `status` reports it, and the daemon's ledger as such grants: every one but the one-shot grants, whose kernel listing is the one that knows. @module */
import type { Grant, PortSpec } from '../../firewall/driver.js';
import { ownerNames, parseOwners } from '../../firewall/grant-values.js';

/** One grant in `status --json` (documented in the README; fields are only ever added). */
export interface StatusGrant {
  /** The owners as stored with the element, comma-separated (one name for a grant with one owner). */
  readonly client: string;
  /** Every client holding this grant; a last item `+N` stands for N more whose names did not fit. */
  readonly owners: readonly string[];
  readonly address: string;
  readonly family: 4 | 6;
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  /** A range's last port; absent for a single port. */
  readonly lastPort?: number;
  /** The configured service with this port, or null when none has it (the config changed since). */
  readonly service: string | null;
  readonly expiresInSeconds: number;
  /** True for a one-shot grant not yet spent (a spent one is gone from the kernel); absent otherwise. */
  readonly oneShot?: true;
}

/**
 * Made straight from the ledger's entries: at 100,000 grants an intermediate object per grant was a
 * fifth of the command's time in allocation and collection. One shape for all of them, `lastPort`
 * undefined for a single port (JSON leaves it out, as for a listed grant).
 */
export function ledgerGrants(
  ledger: readonly Grant[],
  serviceOf: (g: PortSpec) => string | null,
): StatusGrant[] {
  const grants: StatusGrant[] = [];
  // One owners array per distinct comment (read-only from here on): thousands of grants share a client.
  // The comment holds each owner's key tag too (ownerLabel); status shows the names.
  const owners = new Map<string, { readonly client: string; readonly names: readonly string[] }>();
  for (const g of ledger) {
    // Spent at its first connection, which the kernel deletes and the ledger cannot know.
    if (g.once === true) continue;
    let shown = owners.get(g.client);
    if (shown === undefined) {
      shown = { client: ownerNames(g.client), names: parseOwners(g.client) };
      owners.set(g.client, shown);
    }
    grants.push({
      client: shown.client,
      owners: shown.names,
      address: g.address,
      family: g.family,
      protocol: g.protocol,
      port: g.port,
      lastPort: g.lastPort,
      service: serviceOf(g),
      // The element's timeout, as the daemon last set it: what the kernel's listing counts down.
      expiresInSeconds: g.timeoutSeconds,
    });
  }
  return grants;
}
