/** §7 checks 6–15, the one implementation: unseal, client lookup, weak key, time window, replay, signature. @module */
import { DEFAULT_FUTURE_WINDOW_MS } from './constants.js';
import { isWeakEd25519PublicKey } from './ed25519-checks.js';
import { type OpenedKnock, openDatagram, type ServerContext } from './packet.js';
import { type RefusalReason, refuse } from './refusal.js';
import type { SignedKnock } from './request.js';
import { isWithinWindow, verifyOpenedKnock } from './verify.js';

export interface KnownClient {
  readonly publicKey: Uint8Array;
}

/** The receiver's side of checks 10, 12 and 13: its clients, its clock and window, its replay memory. */
export interface AuthenticateOptions<C extends KnownClient> {
  /** Finds a configured client by its 16-byte key id (§1.1). */
  readonly lookup: (keyId: Uint8Array) => C | undefined;
  readonly nowMs: number;
  /** How far a timestamp may lie behind nowMs, in milliseconds (§7 12). */
  readonly windowMs: number;
  /** How far a timestamp may lie ahead of nowMs, in milliseconds (§7 12); DEFAULT_FUTURE_WINDOW_MS if absent. */
  readonly futureWindowMs?: number;
  /**
   * §7 13: undefined when (keyId, nonce) is new, otherwise the refusal: `replay`, or the receiver's
   * own verdict (a server's replay store also refuses a timestamp below its recovery floor as `stale`).
   * Runs before the signature, so it must only read: record a knock after it is accepted.
   * Required, so that a receiver cannot forget replay protection by leaving it out; a caller with
   * no replay memory (a test, a one-off decode) says so with NO_REPLAY_MEMORY.
   */
  readonly replay: (knock: SignedKnock) => RefusalReason | undefined;
}

export interface DecodedKnock<C extends KnownClient> {
  readonly knock: SignedKnock;
  readonly client: C;
}

/**
 * What a step-13 refusal carries: the client the key id claims and the knock as opened, its signature
 * not checked. A server needs both to tell a real copy of a knock from junk (verifyReplayed) before
 * acting on it; until then the client is only a claim and must never be named as the sender.
 */
export interface Replayed<C extends KnownClient> {
  readonly client: C;
  readonly opened: OpenedKnock;
}

/** The replay hook of a caller that keeps no replay memory: tests, vectors, a one-off decode. */
export const NO_REPLAY_MEMORY = (): undefined => undefined;

/**
 * §7 14–15 on the knock a step-13 refusal carries: is it a real copy of a signed knock? Its client
 * passed step 11 (the weak-key check) in the same call, which verifyOpenedKnock relies on.
 */
export function verifyReplayed<C extends KnownClient>(
  ctx: ServerContext,
  replayed: Replayed<C>,
): RefusalReason | undefined {
  return verifyOpenedKnock(ctx.backend, replayed.opened, replayed.client.publicKey);
}

export type AuthResult<C extends KnownClient> =
  | { readonly ok: true; readonly value: DecodedKnock<C> }
  | { readonly ok: false; readonly reason: RefusalReason; readonly replayed?: Replayed<C> };

/**
 * §7 6–15 on a datagram that passed precheckDatagram (1–5), cheapest first: one X25519 + AEAD, a
 * lookup, a window compare and the replay hook all come before the signature, so a replayed datagram
 * never costs a signature verification. Writes nothing; never throws on network input.
 */
export function authenticateDatagram<C extends KnownClient>(
  ctx: ServerContext,
  datagram: Uint8Array,
  options: AuthenticateOptions<C>,
): AuthResult<C> {
  const opened = openDatagram(ctx, datagram); // 6–9
  if (!opened.ok) return opened;
  const { knock } = opened.value;
  const client = options.lookup(knock.keyId); // 10
  if (!client) return refuse('unknown-client');
  // 11, the only weak-key check on the packet path; verifyOpenedKnock does not repeat it. §1 puts it
  // here for a decoder handed a weak key anyway (a bare lookup, the vectors): refused before any
  // signature work. A server's keys were also checked at load (parsePublicKey, WEAK_KEY), as §1 asks.
  // Per datagram it costs byte compares and a remembered subgroup answer, never a scalar multiplication.
  if (isWeakEd25519PublicKey(client.publicKey)) return refuse('weak-key');
  const future = options.futureWindowMs ?? DEFAULT_FUTURE_WINDOW_MS;
  if (!isWithinWindow(knock.timestampMs, options.nowMs, options.windowMs, future)) return refuse('stale'); // 12
  const seen = options.replay(knock); // 13
  if (seen) return { ok: false, reason: seen, replayed: { client, opened: opened.value } };
  const bad = verifyOpenedKnock(ctx.backend, opened.value, client.publicKey); // 14–15
  if (bad) return refuse(bad);
  return { ok: true, value: { knock, client } };
}
