/** Turns the --allow-ip choice into the addresses the request names, per address family the host has. @module */
import { MAX_ADDRESSES } from 'spa-protocol';
import type { AllowIp } from './allow-ip.js';
import { CLIENT_ERROR_CODES, ClientError } from './errors.js';
import type { HostAddress } from './resolve-host.js';
import type { StunOptions } from './stun-client.js';

export interface AddressChoice {
  readonly addresses: readonly string[];
  /** What could not be found (a family without a route, a STUN server that did not answer). */
  readonly notes: readonly string[];
}

/**
 * `targets` holds the first host address of each family, preferred first. auto and stun look up one
 * address per family, so whichever family the later connection uses is covered.
 */
export async function chooseAddresses(
  allow: AllowIp,
  targets: readonly HostAddress[],
  spaPort: number,
  options: { readonly queryStun: boolean; readonly stun?: StunOptions },
): Promise<AddressChoice> {
  if (allow.source) return { addresses: [], notes: [] };
  const found = new Set(allow.addresses);
  const notes: string[] = [];
  if (allow.auto) {
    const { localAddressToward } = await import('./local-address.js');
    for (const target of targets) {
      const local = await localAddressToward(target, spaPort);
      if (local) found.add(local);
      else notes.push(`auto: no IPv${target.family} route to ${target.address}`);
    }
  }
  if (allow.stun && options.queryStun) {
    const { queryStun } = await import('./stun-client.js');
    const server = allow.stun;
    const results = await Promise.allSettled(targets.map((t) => queryStun(server, t.family, options.stun)));
    let any = false;
    for (const result of results) {
      if (result.status === 'fulfilled') {
        found.add(result.value.address);
        any = true;
      } else notes.push(result.reason instanceof Error ? result.reason.message : String(result.reason));
    }
    if (!any) {
      throw new ClientError(CLIENT_ERROR_CODES.stunFailed, notes.join('; ') || 'STUN: no address found');
    }
  }
  // A dry run does not ask the STUN server, so it may have nothing to show yet.
  if (found.size === 0 && !(allow.stun && !options.queryStun)) {
    throw new ClientError(CLIENT_ERROR_CODES.network, `--allow-ip: no address found (${notes.join('; ')})`);
  }
  if (found.size > MAX_ADDRESSES) {
    throw new ClientError(
      CLIENT_ERROR_CODES.usage,
      `--allow-ip: ${found.size} addresses, at most ${MAX_ADDRESSES}`,
    );
  }
  return { addresses: [...found], notes };
}
