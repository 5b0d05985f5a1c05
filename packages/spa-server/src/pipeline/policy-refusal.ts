/** A policy refusal: logged naming the client on one server; in a fleet, only once the shared record says the knock was not another server's. @module */

import type { ReplayGuard } from '../replay/replay-guard.js';
import type { KnockRefusal } from '../shared/reasons.js';

export type Refuse = (
  reason: KnockRefusal,
  src: string,
  srcPort: number,
  client?: string,
  srcSigned?: boolean,
) => void;

export interface PolicyRefusal {
  readonly reason: KnockRefusal;
  readonly src: string;
  readonly srcPort: number;
  readonly client: string;
  /** The knock signed the address it came from: the source is the client's word. */
  readonly srcSigned: boolean;
}

/**
 * A fleet spends the nonce in the shared record too, and a copy of a knock that another server
 * already refused is a `replay` there, naming no client, as it would be on one server.
 */
export function refuseByPolicy(
  replay: ReplayGuard,
  knock: { readonly keyId: Uint8Array; readonly nonce: Uint8Array; readonly timestampMs: number },
  r: PolicyRefusal,
  refuse: Refuse,
  track: (done: Promise<void>) => void,
): void {
  const named = (): void => refuse(r.reason, r.src, r.srcPort, r.client, r.srcSigned);
  if (!replay.shared) {
    named();
    return;
  }
  track(
    replay
      .commit(knock.keyId, knock.nonce, knock.timestampMs)
      .then(
        (verdict) =>
          verdict === 'replay' || verdict === 'stale' ? refuse(verdict, r.src, r.srcPort) : named(),
        named,
      ),
  );
}
