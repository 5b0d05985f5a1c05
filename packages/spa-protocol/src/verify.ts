/** The authentication checks after unsealing: key strength, time window, strict signature (§7 11–15). @module */
import type { CryptoBackend } from './crypto/backend.js';
import { hasCanonicalS, isWeakEd25519PublicKey } from './ed25519-checks.js';
import type { OpenedKnock } from './packet.js';
import type { RefusalReason } from './refusal.js';

/** True when the timestamp lies within ±windowMs of now (tolerated clock skew, §7 12). */
export function isWithinWindow(timestampMs: number, nowMs: number, windowMs: number): boolean {
  return Math.abs(nowMs - timestampMs) <= windowMs;
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
