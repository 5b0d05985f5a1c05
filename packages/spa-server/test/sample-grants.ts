/** Grants as the firewall drivers receive them, shared by the script and value tests. @module */
import type { Grant } from '../src/firewall/driver.js';

/** IPv4, TCP: the common case. */
export const alice: Grant = {
  family: 4,
  address: '10.0.0.1',
  protocol: 'tcp',
  port: 22,
  timeoutSeconds: 30,
  client: 'alice',
};

/** IPv6, UDP, a client name with a character the scripts must carry through. */
export const bob6: Grant = {
  family: 6,
  address: 'fd77::2',
  protocol: 'udp',
  port: 53,
  timeoutSeconds: 5,
  client: 'bob@x',
};
