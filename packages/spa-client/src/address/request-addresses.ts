/** Turns the --allow-ip choice into the addresses the request names, per address family the host has. @module */
import { type IpFamily, MAX_ADDRESSES } from 'spa-protocol';
import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';
import type { DiscoveryOptions } from '../discovery/discover-address.js';
import { type DiscoverySources, describeDiscovery } from '../discovery/discovery-sources.js';
import type { AllowIp } from './allow-ip.js';
import type { HostAddress } from './resolve-host.js';

/** One signed address and how it was found: `given`, `route`, or the discovery sources that agreed. */
export interface AddressSource {
  readonly address: string;
  readonly via: string;
}

export interface AddressChoice {
  readonly addresses: readonly string[];
  readonly sources: readonly AddressSource[];
  /** What could not be found (a family without a route, a discovery source that did not answer). */
  readonly notes: readonly string[];
}

export interface ChooseOptions {
  /** False for --dry-run: discovery sources are not asked. */
  readonly query: boolean;
  /** What the default uses when the route's local address is in another scope than the server's. */
  readonly discovery: DiscoverySources | undefined;
  readonly discoveryOptions?: DiscoveryOptions;
}

/**
 * `targets` holds the first host address of each family, preferred first. auto, discovery and the
 * default look up one address per family, so whichever family the later connection uses is covered.
 */
export async function chooseAddresses(
  allow: AllowIp,
  targets: readonly HostAddress[],
  spaPort: number,
  options: ChooseOptions,
): Promise<AddressChoice> {
  if (allow.source) return { addresses: [], sources: [], notes: [] };
  const found = new Map<string, string>(allow.addresses.map((a) => [a, 'given']));
  const notes: string[] = [];
  const toDiscover: { family: IpFamily; sources: DiscoverySources }[] = [];
  const unconfigured: string[] = [];
  if (allow.auto || allow.scoped) {
    const [{ localAddressToward }, { sameScope }] = await Promise.all([
      import('./local-address.js'),
      import('./address-scope.js'),
    ]);
    for (const target of targets) {
      const local = await localAddressToward(target, spaPort);
      if (!local) notes.push(`no IPv${target.family} route to ${target.address}`);
      else if (allow.auto || sameScope(local, target.address)) found.set(local, 'route');
      else if (options.discovery) {
        toDiscover.push({ family: target.family, sources: options.discovery });
      } else {
        unconfigured.push(
          `this machine's ${local} and the server's ${target.address} are in different scopes`,
        );
      }
    }
  }
  if (allow.discover) {
    for (const t of targets) toDiscover.push({ family: t.family, sources: allow.discover });
  }
  await discoverAll(toDiscover, options, found, notes);
  if (found.size === 0) {
    if (unconfigured.length > 0) {
      throw new ClientError(
        CLIENT_ERROR_CODES.discoveryUnconfigured,
        `${unconfigured.join('; ')} (a NAT between them?): configure discovery (--discover https://URL, or "discover" in the profile) or pass --allow-ip ADDRESS or --allow-ip source`,
      );
    }
    // A dry run asks no discovery source, so it may have nothing to show yet.
    if (!(toDiscover.length > 0 && !options.query)) {
      throw new ClientError(CLIENT_ERROR_CODES.network, `--allow-ip: no address found (${notes.join('; ')})`);
    }
  }
  for (const why of unconfigured) notes.push(`not signed: ${why} and no discovery is configured`);
  if (found.size > MAX_ADDRESSES) {
    throw new ClientError(
      CLIENT_ERROR_CODES.usage,
      `--allow-ip: ${found.size} addresses, at most ${MAX_ADDRESSES}`,
    );
  }
  return {
    addresses: [...found.keys()],
    sources: [...found].map(([address, via]) => ({ address, via })),
    notes,
  };
}

/**
 * Disagreeing sources stop everything (one of them lies). A family the sources cannot answer for
 * is a note, as long as another family found an address; with none found, its error is the error.
 */
async function discoverAll(
  jobs: readonly { family: IpFamily; sources: DiscoverySources }[],
  options: ChooseOptions,
  found: Map<string, string>,
  notes: string[],
): Promise<void> {
  if (jobs.length === 0) return;
  if (!options.query) {
    for (const job of jobs)
      notes.push(`IPv${job.family}: would ask ${describeDiscovery(job.sources).join(', ')}`);
    return;
  }
  const { discoverAddress } = await import('../discovery/discover-address.js');
  const results = await Promise.allSettled(
    jobs.map((job) => discoverAddress(job.sources, job.family, options.discoveryOptions)),
  );
  let firstError: unknown;
  for (const [i, result] of results.entries()) {
    if (result.status === 'fulfilled') {
      found.set(result.value, describeDiscovery(jobs[i]!.sources).join(' + '));
      continue;
    }
    const error = result.reason;
    if ((error as { code?: unknown }).code === CLIENT_ERROR_CODES.discoveryConflict) throw error;
    firstError ??= error;
    notes.push(error instanceof Error ? error.message : String(error));
  }
  if (found.size === 0 && firstError !== undefined) throw firstError;
}
