/** The server's hooks for the protocol's §7 checks 6–15: its clients by key id, its window, its replay store. @module */
import { type AuthResult, authenticateDatagram } from 'spa-protocol';
import type { ResolvedClient } from '../config/resolved-config.js';
import type { ReplayStore } from '../replay/replay-store.js';
import { hexOf, type Runtime } from './runtime.js';

/**
 * The order is the protocol's own (authenticateDatagram), with the replay store at step 13: a
 * replayed datagram costs one X25519 + AEAD and a map lookup, never a signature verification. Nothing
 * here writes state; the replay record is written only after the per-client limits (admit.ts).
 * A refusal names no client: until the signature verifies, the key id is only what the sender
 * claims, and anyone holding the server's public key can claim any client's from any address.
 */
export function authenticate(
  rt: Runtime,
  replay: ReplayStore,
  datagram: Uint8Array,
  nowMs: number,
): AuthResult<ResolvedClient> {
  return authenticateDatagram(rt.ctx, datagram, {
    lookup: (keyId) => rt.clients.get(hexOf(keyId)),
    nowMs,
    windowMs: rt.windowMs,
    futureWindowMs: rt.futureWindowMs,
    replay: (knock) => replay.check(knock.keyId, knock.nonce, knock.timestampMs),
  });
}
