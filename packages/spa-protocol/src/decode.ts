/** One-call decoding of a datagram through every protocol check, in the order of docs/protocol.md §7. @module */
import {
  type AuthenticateOptions,
  type AuthResult,
  authenticateDatagram,
  type KnownClient,
} from './authenticate.js';
import { precheckDatagram, type ServerContext } from './packet.js';
import { refuse } from './refusal.js';

export type DecodeOptions<C extends KnownClient> = AuthenticateOptions<C>;

/**
 * The whole of §7: the cheap checks 1–5 (precheckDatagram), then 6–15 (authenticateDatagram). A
 * server runs the same two functions apart, with its rate limiter and queue between them.
 * Never throws on network input: every failure is a refusal reason.
 */
export function decodeDatagram<C extends KnownClient>(
  ctx: ServerContext,
  datagram: Uint8Array,
  options: DecodeOptions<C>,
): AuthResult<C> {
  if (!(datagram instanceof Uint8Array)) return refuse('malformed');
  const early = precheckDatagram(ctx, datagram);
  if (early) return refuse(early);
  return authenticateDatagram(ctx, datagram, options);
}
