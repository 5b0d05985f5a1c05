/** The last gate before any state is written: the client's token bucket, then the replay store's bounds. @module */
import type { SignedKnock } from 'spa-protocol';
import type { ResolvedClient } from '../config/resolved-config.js';
import type { ReplayRefusal, ReplayStore } from '../replay/replay-store.js';
import type { ClientLimiter } from './client-limiter.js';

export type AdmitRefusal = 'client-rate-limited' | ReplayRefusal;

/**
 * Runs after the signature, so only the holder of a client's key can spend that client's budget, and
 * before policy, so that every knock that authenticated spends its nonce: a copy of a knock that
 * policy refuses is then a `replay` that names no client, not another policy refusal naming the
 * client beside an address of the copier's choosing. A knock refused here wrote nothing. On success
 * the replay entry is reserved (in memory, synchronously): a later copy in the same batch is a replay.
 */
export function admitKnock(
  limiter: ClientLimiter,
  replay: ReplayStore,
  knock: SignedKnock,
  client: ResolvedClient,
): AdmitRefusal | undefined {
  if (!limiter.allow(client.keyIdHex)) return 'client-rate-limited';
  return replay.reserve(knock.keyId, knock.nonce, knock.timestampMs);
}
