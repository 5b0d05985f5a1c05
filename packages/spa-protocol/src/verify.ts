/** The authentication checks after unsealing: key strength, time window, strict signature (§7 11–15). @module */
import type { CryptoBackend } from './crypto/backend.js';
import { hasCanonicalS, isWeakEd25519PublicKey } from './ed25519-checks.js';
import type { OpenedKnock } from './packet.js';
import type { RefusalReason } from './refusal.js';

/**
 * §7 12: true when `now − pastMs ≤ timestamp ≤ now + futureMs`. The two sides differ on purpose: the
 * past side absorbs slow clocks and delivery delay, the future side only fast clocks, and every
 * accepted knock must be remembered until its timestamp leaves the past side.
 */
export function isWithinWindow(
  timestampMs: number,
  nowMs: number,
  pastMs: number,
  futureMs: number,
): boolean {
  return timestampMs >= nowMs - pastMs && timestampMs <= nowMs + futureMs;
}

/** §7 11, 14, 15 for a client key found by key id: undefined when the signature is good. */
export function verifyOpenedKnock(
  backend: CryptoBackend,
  opened: OpenedKnock,
  clientPublicKey: Uint8Array,
): RefusalReason | undefined {
  if (isWeakEd25519PublicKey(clientPublicKey)) return 'weak-key';
  // Checked here, not left to the backend, so noble and OpenSSL cannot disagree on malleable S.
  if (!hasCanonicalS(opened.signature)) return 'bad-signature';
  return backend.ed25519Verify(clientPublicKey, opened.signedMessage, opened.signature)
    ? undefined
    : 'bad-signature';
}
