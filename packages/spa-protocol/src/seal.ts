/** Sealing the plaintext to the server key: ephemeral X25519, HKDF-SHA256, ChaCha20-Poly1305 (docs/protocol.md §4). @module */
import { concatBytes, isAllZero, wipe } from './bytes.js';
import { KEY_SIZE, LABEL_SEAL } from './constants.js';
import type { CryptoBackend } from './crypto/backend.js';

// The key is single-use (fresh ephemeral per datagram), so a fixed nonce is safe.
const ZERO_NONCE = new Uint8Array(12);

function deriveSealKey(
  backend: CryptoBackend,
  shared: Uint8Array,
  ephemeralPublic: Uint8Array,
  serverPublic: Uint8Array,
): Uint8Array {
  return backend.hkdfSha256(shared, LABEL_SEAL, concatBytes(ephemeralPublic, serverPublic), KEY_SIZE);
}

/** Client side. Undefined only when the server key is a small-order point (all-zero shared secret). */
export function seal(
  backend: CryptoBackend,
  serverPublic: Uint8Array,
  ephemeralSecret: Uint8Array,
  ephemeralPublic: Uint8Array,
  header: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array | undefined {
  const shared = backend.x25519(ephemeralSecret, serverPublic);
  return withSealKey(backend, shared, ephemeralPublic, serverPublic, (key) =>
    backend.chachaSeal(key, ZERO_NONCE, plaintext, header),
  );
}

/** Server side. Undefined when the ephemeral key is bad or the tag does not verify: never throws. */
export function unseal(
  backend: CryptoBackend,
  serverSecret: Uint8Array,
  serverPublic: Uint8Array,
  ephemeralPublic: Uint8Array,
  header: Uint8Array,
  sealed: Uint8Array,
): Uint8Array | undefined {
  const shared = backend.x25519(serverSecret, ephemeralPublic);
  return withSealKey(backend, shared, ephemeralPublic, serverPublic, (key) =>
    backend.chachaOpen(key, ZERO_NONCE, sealed, header),
  );
}

/**
 * Runs `use` with the seal key from an X25519 shared secret, wiping the secret and the key after;
 * undefined for a failed or all-zero agreement (a small-order point).
 */
function withSealKey<T>(
  backend: CryptoBackend,
  shared: Uint8Array | undefined,
  ephemeralPublic: Uint8Array,
  serverPublic: Uint8Array,
  use: (key: Uint8Array) => T,
): T | undefined {
  if (!shared || isAllZero(shared)) return undefined;
  const key = deriveSealKey(backend, shared, ephemeralPublic, serverPublic);
  wipe(shared);
  const result = use(key);
  wipe(key);
  return result;
}
