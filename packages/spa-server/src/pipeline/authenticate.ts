/** The server's hooks for the protocol's §7 checks: its client table, its window, its replay store. @module */
import {
  type AuthResult,
  authenticateDatagram,
  type Prechecked,
  precheckDatagram,
  type SeenHook,
  type TaggedClient,
} from 'spa-protocol';
import type { ResolvedClient } from '../config/resolved-config.js';
import type { ReplayGuard } from '../replay/replay-guard.js';
import { advanceTags, type Runtime } from './runtime.js';

/**
 * §7 1–7 on receipt: length, version, the client tag (one Map lookup), mac2 (one HMAC), the replay
 * pre-check. `seen` also covers knocks still waiting in the queue (pipeline.ts). Advances the tag
 * table to `nowMs` first: two compares, unless an epoch just began.
 */
export function precheck(
  rt: Runtime,
  datagram: Uint8Array,
  nowMs: number,
  seen: SeenHook<ResolvedClient>,
): Prechecked<ResolvedClient> {
  advanceTags(rt, nowMs);
  return precheckDatagram(rt.table, datagram, seen);
}

/**
 * §7 8–17 from the queue, in the protocol's own order (authenticateDatagram), with the replay store at
 * step 15: a copy that passed the pre-check before the first was recorded costs one X25519 + AEAD and
 * a map lookup, never a signature verification. Nothing here writes state; the replay record is
 * written only after (admit.ts).
 */
export function authenticate(
  rt: Runtime,
  replay: Pick<ReplayGuard, 'check'>,
  datagram: Uint8Array,
  tagged: TaggedClient<ResolvedClient>,
  nowMs: number,
): AuthResult<ResolvedClient> {
  return authenticateDatagram(rt.ctx, datagram, tagged, {
    nowMs,
    windowMs: rt.windowMs,
    futureWindowMs: rt.futureWindowMs,
    replay: (knock) => replay.check(knock.keyId, knock.nonce, knock.timestampMs),
  });
}
