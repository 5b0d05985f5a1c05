/** The server's own key material, derived once at start so the per-packet path does no key setup. @module */
import { KEY_SIZE } from './constants.js';
import type { CryptoBackend } from './crypto/backend.js';
import { assertBytes } from './errors.js';

/** Everything the server derives once from its key, so the per-packet path does no key setup. */
export interface ServerContext {
  readonly backend: CryptoBackend;
  readonly serverSecretKey: Uint8Array;
  readonly serverPublicKey: Uint8Array;
}

export function createServerContext(backend: CryptoBackend, serverSecretKey: Uint8Array): ServerContext {
  assertBytes(serverSecretKey, KEY_SIZE, 'serverSecretKey');
  return { backend, serverSecretKey, serverPublicKey: backend.x25519PublicKey(serverSecretKey) };
}
