/** The time window and the strict signature check (§7 14, 16–17). @module */
import type { CryptoBackend } from './crypto/backend.js';
import { hasCanonicalS } from './ed25519-checks.js';
import type { OpenedKnock } from './packet.js';
import type { RefusalReason } from './refusal.js';

/**
 * §7 14: true when `now − pastMs ≤ timestamp ≤ now + futureMs`. The two sides differ on purpose: the
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

/**
 * §7 16–17: undefined when the signature is good. The key passed the weak-key check (§1) when the
 * receiver's client table was built: a table never holds a weak key.
 */
export function verifyOpenedKnock(
  backend: CryptoBackend,
  opened: OpenedKnock,
  clientPublicKey: Uint8Array,
): RefusalReason | undefined {
  // Checked here, not left to the backend, so noble and OpenSSL cannot disagree on malleable S.
  if (!hasCanonicalS(opened.signature)) return 'bad-signature';
  return backend.ed25519Verify(clientPublicKey, opened.signedMessage, opened.signature)
    ? undefined
    : 'bad-signature';
}
