/** One-call decoding of a datagram through every protocol check, in the order of docs/protocol.md §7. @module */
import { type AuthenticateOptions, type AuthResult, authenticateDatagram } from './authenticate.js';
import type { ClientTable, KnownClient } from './client-table.js';
import { DEFAULT_FUTURE_WINDOW_MS } from './constants.js';
import { precheckDatagram, type SeenHook } from './packet.js';
import { refuse } from './refusal.js';
import type { ServerContext } from './server-context.js';

export interface DecodeOptions<C extends KnownClient> extends AuthenticateOptions {
  /** §7 7, the replay pre-check on (client, nonce); NO_REPLAY_MEMORY for a receiver that keeps none. */
  readonly seen: SeenHook<C>;
}

/**
 * The whole of §7: advances the table to nowMs, then the cheap checks 1–7 (precheckDatagram), then
 * 8–17 (authenticateDatagram). A server runs the same functions apart, with its per-client limit and
 * queue between them. Never throws on network input: every failure is a refusal reason.
 */
export function decodeDatagram<C extends KnownClient>(
  ctx: ServerContext,
  table: ClientTable<C>,
  datagram: Uint8Array,
  options: DecodeOptions<C>,
): AuthResult<C> {
  if (!(datagram instanceof Uint8Array)) return refuse('malformed');
  table.advance(options.nowMs, options.windowMs, options.futureWindowMs ?? DEFAULT_FUTURE_WINDOW_MS);
  const early = precheckDatagram(table, datagram, options.seen);
  if (!early.ok) return refuse(early.reason);
  return authenticateDatagram(ctx, datagram, early.value, options);
}
