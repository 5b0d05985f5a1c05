/** §7 checks 6–15 on a queued datagram: unseal, client lookup, weak key, time window, replay, signature. @module */
import {
  isWeakEd25519PublicKey,
  isWithinWindow,
  type OpenedKnock,
  openDatagram,
  type RefusalReason,
  type SignedKnock,
  verifyOpenedKnock,
} from 'spa-protocol';
import type { ResolvedClient } from '../config/resolved-config.js';
import type { ReplayStore } from '../replay/replay-store.js';
import { hexOf, type Runtime } from './runtime.js';

export type AuthResult =
  | { readonly ok: true; readonly knock: SignedKnock; readonly client: ResolvedClient }
  | {
      readonly ok: false;
      readonly reason: RefusalReason;
      /**
       * For a replay only: the claimed client and the opened, not yet verified, knock, for the
       * source-mode race guard, which verifies the signature before acting. Never logged as the sender.
       */
      readonly client?: ResolvedClient;
      readonly opened?: OpenedKnock;
    };

/**
 * The protocol's own order, cheapest first, with the server's replay store at step 13: a replayed
 * datagram costs one X25519 + AEAD and a map lookup, never a signature verification. Nothing here
 * writes state; the replay record is written only after policy and the per-client limits (admit.ts).
 * A refusal here names no client: until the signature verifies, the key id is only what the
 * sender claims, and anyone holding the server's public key can claim any client's from any address.
 */
export function authenticate(
  rt: Runtime,
  replay: ReplayStore,
  datagram: Uint8Array,
  nowMs: number,
): AuthResult {
  const opened = openDatagram(rt.ctx, datagram); // 6–9
  if (!opened.ok) return opened;
  const { knock } = opened.value;
  const client = rt.clients.get(hexOf(knock.keyId)); // 10
  if (!client) return { ok: false, reason: 'unknown-client' };
  if (isWeakEd25519PublicKey(client.publicKey)) return { ok: false, reason: 'weak-key' }; // 11
  if (!isWithinWindow(knock.timestampMs, nowMs, rt.windowMs, rt.futureWindowMs)) {
    return { ok: false, reason: 'stale' }; // 12
  }
  const seen = replay.check(knock.keyId, knock.nonce, knock.timestampMs); // 13
  if (seen) return { ok: false, reason: seen, client, opened: opened.value };
  const bad = verifyOpenedKnock(rt.ctx.backend, opened.value, client.publicKey); // 14–15
  if (bad) return { ok: false, reason: bad };
  return { ok: true, knock, client };
}
