/** Grants owned per client and the source-mode race guard, with the nftables backend, against the real kernel. */
import { ownershipScenarios } from 'spa-test-kit/scenarios/ownership-scenarios';

ownershipScenarios('nftables');
