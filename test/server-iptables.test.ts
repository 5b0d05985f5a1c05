/** spa-server end to end with the iptables + ipset backend, in network namespaces against the real kernel. */
import { serverScenarios } from 'spa-test-kit/scenarios/server-scenarios';

serverScenarios('iptables');
