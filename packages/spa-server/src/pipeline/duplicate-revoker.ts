/** The source-mode race guard's action: a copy of a granted source-mode knock from another address revokes what the first opened. @module */
import type { IpAddress } from 'spa-protocol';
import type { ResolvedClient } from '../config/resolved-config.js';
import type { GrantKeeper } from '../grants/grant-keeper-api.js';
import type { DaemonLog } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { SourceKnocks } from './source-knocks.js';

export interface DuplicateRevokerDeps {
  readonly sourceKnocks: SourceKnocks;
  readonly grants: GrantKeeper;
  readonly log: DaemonLog;
  readonly metrics: Metrics;
  /** Registers the revoke's promise, so that the pipeline's idle() waits for it. */
  readonly track: (done: Promise<void>) => void;
}

export type RevokeDuplicate = (
  client: ResolvedClient,
  nonceHex: string,
  source: IpAddress,
  srcPort: number,
) => void;

/**
 * A copy of a granted source-mode knock from another address: one of the two was not the client's.
 * Which one cannot be told, so neither keeps access: the grant and its connections are revoked. The
 * copy passed mac2, which only the client (or this server) can make, so it is a byte copy of the
 * client's own datagram: nobody else can trigger this for a knock they did not see.
 */
export function createDuplicateRevoker(deps: DuplicateRevokerDeps): RevokeDuplicate {
  const { sourceKnocks, grants, log, metrics, track } = deps;
  return (client, nonceHex, source, srcPort) => {
    const first = sourceKnocks.duplicateFrom(client.keyIdHex, nonceHex, source);
    if (!first) return;
    sourceKnocks.forget(client.keyIdHex, nonceHex);
    const fields = { src: source.text, srcPort, client: client.name, opened: first.source.text };
    track(
      // After the first copy's own commit: revoking before its grant would leave that grant standing.
      first.committed
        .then(() => grants.revokeConnections(first.owner, [first.source], first.ports))
        .then(
          () => {
            metrics.count('duplicateRevokes');
            log.event('warn', 'knock.duplicate', {
              ...fields,
              message: 'source-mode knock seen from two addresses: its grant and connections revoked',
            });
          },
          (error: unknown) => {
            metrics.count('firewallFailures');
            log.event('error', 'firewall.failed', {
              ...fields,
              operation: 'revoke-duplicate',
              error: error instanceof Error ? error.message : String(error),
            });
          },
        ),
    );
  };
}
