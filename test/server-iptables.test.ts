/** spa-server end to end with the iptables + ipset backend, in network namespaces against the real kernel. */
import { serverScenarios } from './lib/server-scenarios.js';

serverScenarios('iptables');
