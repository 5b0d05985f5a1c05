/** The last gate before any state is written: the replay store's bounds, after the signature. @module */
import type { SignedKnock } from 'spa-protocol';
import type { ReplayGuard } from '../replay/replay-guard.js';
import type { ReplayRefusal } from '../replay/replay-store.js';

export type AdmitRefusal = ReplayRefusal;

/**
 * Runs after the signature, so only the holder of a client's key can fill that client's share of the
 * store, and before policy, so that every knock that authenticated spends its nonce: a copy of a knock
 * that policy refuses is then a `replay` that names no client, not another policy refusal naming the
 * client beside an address of the copier's choosing. A knock refused here wrote nothing. On success
 * the replay entry is reserved (in memory, synchronously): a later copy is a replay.
 */
export function admitKnock(
  replay: Pick<ReplayGuard, 'reserve'>,
  knock: SignedKnock,
): AdmitRefusal | undefined {
  return replay.reserve(knock.keyId, knock.nonce, knock.timestampMs);
}
