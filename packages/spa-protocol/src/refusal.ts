/** Refusal reason codes for network input, and the result type decoding returns instead of throwing. @module */

/** Reasons the protocol itself can refuse a datagram for, in check order (docs/protocol.md §7). */
export const PROTOCOL_REFUSALS = [
  'too-short',
  'too-long',
  'bad-length',
  'bad-version',
  'unknown-client',
  'bad-mac',
  'replay',
  'decrypt-failed',
  'malformed',
  'wrong-server',
  'wrong-client',
  'wrong-epoch',
  'stale',
  'bad-signature',
] as const;
export type RefusalReason = (typeof PROTOCOL_REFUSALS)[number];

export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: RefusalReason };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const refuse = <T = never>(reason: RefusalReason): Result<T> => ({ ok: false, reason });
