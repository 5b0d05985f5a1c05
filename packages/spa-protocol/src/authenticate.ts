/** §7 checks 8–17, the one implementation: unseal, key id and epoch against the tag's client, time window, replay, signature. @module */

import { equalBytes } from './bytes.js';
import { epochOf } from './client-keys.js';
import type { KnownClient, TaggedClient } from './client-table.js';
import { DEFAULT_FUTURE_WINDOW_MS } from './constants.js';
import { computeKeyId } from './keys.js';
import { openDatagram } from './packet.js';
import { type RefusalReason, refuse } from './refusal.js';
import type { SignedKnock } from './request.js';
import type { ServerContext } from './server-context.js';
import { isWithinWindow, verifyOpenedKnock } from './verify.js';

/** The receiver's side of checks 14 and 15: its clock and window, its replay memory. */
export interface AuthenticateOptions {
  readonly nowMs: number;
  /** How far a timestamp may lie behind nowMs, in milliseconds (§7 14). */
  readonly windowMs: number;
  /** How far a timestamp may lie ahead of nowMs, in milliseconds (§7 14); DEFAULT_FUTURE_WINDOW_MS if absent. */
  readonly futureWindowMs?: number;
  /**
   * §7 15: undefined when (keyId, nonce) is new, otherwise the refusal: `replay`, or the receiver's
   * own verdict (a server's replay store also refuses a timestamp below its recovery floor as `stale`).
   * The pre-check at step 7 already asked; this asks again with the timestamp, and catches a copy
   * that passed step 7 before the first was recorded. Runs before the signature, so it must only
   * read. Required, so that a receiver cannot forget replay protection by leaving it out; a caller
   * with no replay memory says so with NO_REPLAY_MEMORY.
   */
  readonly replay: (knock: SignedKnock) => RefusalReason | undefined;
}

export interface DecodedKnock<C extends KnownClient> {
  readonly knock: SignedKnock;
  readonly client: C;
}

/** The replay hooks of a caller that keeps no replay memory: tests, vectors, a one-off decode. */
export const NO_REPLAY_MEMORY = (): undefined => undefined;

export type AuthResult<C extends KnownClient> =
  | { readonly ok: true; readonly value: DecodedKnock<C> }
  | { readonly ok: false; readonly reason: RefusalReason };

// A key id is SHA-256 of the key: remembered per key array, so a datagram pays one compare for it.
const keyIds = new WeakMap<Uint8Array, Uint8Array>();
function keyIdOf(ctx: ServerContext, publicKey: Uint8Array): Uint8Array {
  let id = keyIds.get(publicKey);
  if (!id) {
    id = computeKeyId(ctx.backend, publicKey);
    keyIds.set(publicKey, id);
  }
  return id;
}

/**
 * §7 8–17 on a datagram that passed precheckDatagram (1–7) with `tagged`, cheapest first: one X25519 +
 * AEAD, compares, and the replay hook all come before the signature. The client is the tag's: the
 * body's key id must name it, and its timestamp must lie in the tag's epoch. Writes nothing; never
 * throws on network input.
 */
export function authenticateDatagram<C extends KnownClient>(
  ctx: ServerContext,
  datagram: Uint8Array,
  tagged: TaggedClient<C>,
  options: AuthenticateOptions,
): AuthResult<C> {
  const opened = openDatagram(ctx, datagram); // 8–11
  if (!opened.ok) return opened;
  const { knock } = opened.value;
  const { client } = tagged;
  if (!equalBytes(knock.keyId, keyIdOf(ctx, client.publicKey))) return refuse('wrong-client'); // 12
  if (epochOf(knock.timestampMs) !== tagged.epoch) return refuse('wrong-epoch'); // 13
  const future = options.futureWindowMs ?? DEFAULT_FUTURE_WINDOW_MS;
  if (!isWithinWindow(knock.timestampMs, options.nowMs, options.windowMs, future)) return refuse('stale'); // 14
  const seen = options.replay(knock); // 15
  if (seen) return refuse(seen);
  const bad = verifyOpenedKnock(ctx.backend, opened.value, client.publicKey); // 16–17
  if (bad) return refuse(bad);
  return { ok: true, value: { knock, client } };
}
