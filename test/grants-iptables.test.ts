/** Grants owned per client and the source-mode race guard, with the iptables backend, against the real kernel. */
import { ownershipScenarios } from 'spa-test-kit/scenarios/ownership-scenarios';

ownershipScenarios('iptables');
