/** One-call decoding of a datagram through every protocol check, in the order of docs/protocol.md §7. @module */
import { DEFAULT_FUTURE_WINDOW_MS } from './constants.js';
import { isWeakEd25519PublicKey } from './ed25519-checks.js';
import { openDatagram, precheckDatagram, type ServerContext } from './packet.js';
import { ok, type Result, refuse } from './refusal.js';
import type { SignedKnock } from './request.js';
import { isWithinWindow, verifyOpenedKnock } from './verify.js';

export interface KnownClient {
  readonly publicKey: Uint8Array;
}

export interface DecodeOptions<C extends KnownClient> {
  /** Finds a configured client by its 16-byte key id (§1.1). */
  readonly lookup: (keyId: Uint8Array) => C | undefined;
  readonly nowMs: number;
  /** How far a timestamp may lie behind nowMs, in milliseconds (§7 12). */
  readonly windowMs: number;
  /** How far a timestamp may lie ahead of nowMs, in milliseconds (§7 12); DEFAULT_FUTURE_WINDOW_MS if absent. */
  readonly futureWindowMs?: number;
  /** §7 13: true when (keyId, nonce) was already accepted. Servers pass their replay store here. */
  readonly isReplay?: (knock: SignedKnock) => boolean;
}

export interface DecodedKnock<C extends KnownClient> {
  readonly knock: SignedKnock;
  readonly client: C;
}

/** Never throws on network input: every failure is a refusal reason. */
export function decodeDatagram<C extends KnownClient>(
  ctx: ServerContext,
  datagram: Uint8Array,
  options: DecodeOptions<C>,
): Result<DecodedKnock<C>> {
  if (!(datagram instanceof Uint8Array)) return refuse('malformed');
  const early = precheckDatagram(ctx, datagram);
  if (early) return refuse(early);
  const opened = openDatagram(ctx, datagram);
  if (!opened.ok) return opened;
  const { knock } = opened.value;
  const client = options.lookup(knock.keyId);
  if (!client) return refuse('unknown-client');
  if (isWeakEd25519PublicKey(client.publicKey)) return refuse('weak-key');
  const future = options.futureWindowMs ?? DEFAULT_FUTURE_WINDOW_MS;
  if (!isWithinWindow(knock.timestampMs, options.nowMs, options.windowMs, future)) return refuse('stale');
  if (options.isReplay?.(knock)) return refuse('replay');
  const bad = verifyOpenedKnock(ctx.backend, opened.value, client.publicKey);
  if (bad) return refuse(bad);
  return ok({ knock, client });
}
