/** Whether two addresses are in the same scope (both global, or both local: private, CGNAT, ULA, link-local, loopback). @module */
import { addressInNetwork, parseAddress } from 'spa-protocol';

/**
 * Addresses that mean something only on one network: a server seeing a knock from such a network
 * sees this address only if it sits on the same network (a LAN, a VPN). Everything else unicast
 * counts as global, documentation ranges included (tests use them as "public" addresses).
 */
const LOCAL_NETWORKS: readonly string[] = [
  '10.0.0.0/8', // RFC 1918
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10', // RFC 6598, carrier-grade NAT
  '169.254.0.0/16', // link-local
  '127.0.0.0/8',
  'fc00::/7', // RFC 4193, unique local
  'fe80::/10',
  '::1/128',
];

/** True for an address of a private, shared, link-local or loopback network. */
export function isLocalScope(text: string): boolean {
  const address = parseAddress(text);
  return address !== undefined && LOCAL_NETWORKS.some((n) => addressInNetwork(address, n));
}

/** Both global or both local: then the server most likely sees `local` as the knock's source. */
export function sameScope(local: string, server: string): boolean {
  return isLocalScope(local) === isLocalScope(server);
}
