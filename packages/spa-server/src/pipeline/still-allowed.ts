/** Whether a client may still open a target under the configuration in force (reloads, commits in flight). @module */
import { addressInNetwork, parseAddress } from 'spa-protocol';
import { portAllows } from '../config/port-spec.js';
import type { GrantTarget } from '../firewall/driver.js';
import type { Runtime } from './runtime.js';

/** True while the client with `keyId` may still open `target`: its key, one-shot or not, one of its services, its networks. */
export function stillAllowed(rt: Runtime, keyId: string, target: GrantTarget): boolean {
  const client = rt.clients.get(keyId);
  if (!client) return false;
  // A client's oneShot changed by a reload: the grants of the other kind go, as its close would miss them.
  if ((target.once === true) !== client.oneShot) return false;
  const port = client.services.some((name) =>
    rt.limits.services.get(name)?.some((p) => portAllows(p, target)),
  );
  if (!port) return false;
  if (client.sourceNetworks.length === 0) return true;
  const address = parseAddress(target.address);
  return address !== undefined && client.sourceNetworks.some((n) => addressInNetwork(address, n));
}
