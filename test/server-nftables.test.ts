/** spa-server end to end with the nftables backend, in network namespaces against the real kernel. */
import { serverScenarios } from './lib/server-scenarios.js';

serverScenarios('nftables');
