/** spa-server end to end with the nftables backend, in network namespaces against the real kernel. */
import { serverScenarios } from 'spa-test-kit/scenarios/server-scenarios';

serverScenarios('nftables');
