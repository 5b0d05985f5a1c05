/** Whether a client may still open a target under the configuration in force (reloads, restarts, commits in flight). @module */
import { addressInNetwork, parseAddress } from 'spa-protocol';
import { portAllows } from '../config/port-spec.js';
import type { ResolvedClient } from '../config/resolved-config.js';
import type { GrantTarget } from '../firewall/driver.js';
import type { PolicyLimits } from './policy.js';
import type { Runtime } from './runtime.js';

/**
 * Why a client may no longer hold a target: it is not configured (`removed`), its `expires` has
 * passed (`expired`), or its services, networks or one-shot setting no longer cover the target (`changed`).
 */
export type NotAllowed = 'removed' | 'expired' | 'changed';

/** True while the client with `keyId` may still open `target` at `nowMs`: its key, unexpired, one-shot or not, one of its services, its networks. */
export function stillAllowed(rt: Runtime, keyId: string, target: GrantTarget, nowMs: number): boolean {
  return whyNotAllowed(rt.clients.get(keyId), rt.limits, target, nowMs) === undefined;
}

/**
 * stillAllowed's checks for a client found by other means (a restart knows the grants an earlier
 * run left by their owners' names only); undefined while `client` may open `target`.
 */
export function whyNotAllowed(
  client: ResolvedClient | undefined,
  limits: Pick<PolicyLimits, 'services'>,
  target: GrantTarget,
  nowMs: number,
): NotAllowed | undefined {
  if (!client) return 'removed';
  // The policy ends every grant by the key's expiry; this ends those a reload or a restart finds after it.
  if (client.expiresAtMs !== undefined && nowMs >= client.expiresAtMs) return 'expired';
  // A client's oneShot changed by a reload: the grants of the other kind go, as its close would miss them.
  if ((target.once === true) !== client.oneShot) return 'changed';
  const port = client.services.some((name) => limits.services.get(name)?.some((p) => portAllows(p, target)));
  if (!port) return 'changed';
  if (client.sourceNetworks.length === 0) return undefined;
  const address = parseAddress(target.address);
  const inside = address !== undefined && client.sourceNetworks.some((n) => addressInNetwork(address, n));
  return inside ? undefined : 'changed';
}
