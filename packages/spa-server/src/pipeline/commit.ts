/** The last stage of an allowed knock: final replay record, then the firewall, then the log line. @module */
import type { ResolvedClient } from '../config/resolved-config.js';
import type { GrantKeeper } from '../grants/grant-keeper-api.js';
import type { DaemonLog } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { CommitVerdict, ReplayGuard } from '../replay/replay-guard.js';
import type { ServerRefusal } from '../shared/reasons.js';
import { isServerError, SERVER_ERROR_CODES } from '../shared/server-error.js';
import type { PolicyDecision } from './policy.js';

export interface CommitDeps {
  readonly replay: ReplayGuard;
  readonly grants: GrantKeeper;
  readonly log: DaemonLog;
  readonly metrics: Metrics;
  /**
   * Asked once the record is final, before an open reaches the firewall: false when a reload in
   * the meantime removed the key, the service or the network (its revoke ran before this grant), or
   * the key's `expires` has passed since the policy check.
   */
  readonly stillAllowed?: () => boolean;
  /** The server's maxGrantsPerClient at the time of the knock. */
  readonly maxGrantsPerClient: number;
}

export interface Source {
  readonly src: string;
  readonly srcPort: number;
}

/** What the replay record is keyed and dated by. */
export interface KnockId {
  readonly keyId: Uint8Array;
  readonly nonce: Uint8Array;
  readonly timestampMs: number;
}

/**
 * Never rejects; true once the knock's open or close reached the firewall. The replay entry was
 * reserved by admitKnock(); this makes it final first: at once when the knock's timestamp is below
 * the durable high-water mark, which any restart after a crash or power loss refuses up to (so no
 * disk sync on this path). With a shared store it also waits for the fleet's record, which can
 * still refuse it.
 */
export async function commitKnock(
  deps: CommitDeps,
  from: Source,
  client: ResolvedClient,
  knock: KnockId,
  decision: PolicyDecision,
): Promise<boolean> {
  const { replay, grants, log, metrics } = deps;
  const owner = { keyId: client.keyIdHex, name: client.name, oneShot: client.oneShot };
  const fields = {
    ...from,
    client: client.name,
    services: decision.access,
    addresses: decision.addresses.map((a) => a.text),
  };
  const fail = (reason: ServerRefusal, error: unknown): void => {
    metrics.refuse(reason);
    if (reason === 'firewall-failed') metrics.count('firewallFailures');
    // Not rate-limited: these are authenticated clients left without access, rare and worth seeing.
    log.event('error', 'knock.refused', {
      reason,
      ...fields,
      error: error instanceof Error ? error.message : String(error),
    });
  };

  let verdict: CommitVerdict;
  try {
    verdict = await replay.commit(knock.keyId, knock.nonce, knock.timestampMs);
  } catch (error) {
    fail('replay-store-failed', error);
    return false;
  }
  if (verdict) {
    metrics.refuse(verdict);
    // Another server's knock, or a copy of it: named like any replay, without the client (its source
    // is the copier's choice). An unreachable store is logged once per outage by the store, not here.
    if (verdict !== 'replay-store-unreachable') log.refusal({ reason: verdict, ...from });
    return false;
  }
  if (decision.kind === 'open' && deps.stillAllowed && !deps.stillAllowed()) {
    fail(
      'reload-revoked',
      new Error("a reload, or the key's expiry, while the knock was committed no longer allows it"),
    );
    return false;
  }
  try {
    if (decision.kind === 'open') {
      await grants.open(
        owner,
        decision.addresses,
        decision.ports,
        decision.durationSeconds,
        deps.maxGrantsPerClient,
      );
    } else {
      await grants.close(owner, decision.addresses, decision.ports);
    }
  } catch (error) {
    if (isServerError(error, SERVER_ERROR_CODES.grantLimit)) {
      fail('client-grants-full', error);
      return false;
    }
    if (isServerError(error, SERVER_ERROR_CODES.grantsFull)) {
      fail('grants-full', error);
      return false;
    }
    fail('firewall-failed', error);
    // The usual cause is a table deleted underneath: check now rather than at the next tick.
    void grants.checkIntegrity();
    return false;
  }
  if (decision.kind === 'open') {
    metrics.count('accepted');
    log.event('info', 'knock.accepted', { ...fields, duration: decision.durationSeconds });
  } else {
    metrics.count('closed');
    log.event('info', 'knock.closed', fields);
  }
  return true;
}
