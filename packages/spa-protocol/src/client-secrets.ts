/** The two keys one client shares with one server, derived from X25519(server, client) (docs/protocol.md §6.1). @module */
import { concatBytes, isAllZero, wipe } from './bytes.js';
import { KEY_SIZE, LABEL_MAC_KEY, LABEL_TAG_KEY } from './constants.js';
import type { CryptoBackend } from './crypto/backend.js';
import type { ServerContext } from './server-context.js';

// Its own module, free of the §1 checks' point arithmetic: a server's agreement worker bundles this,
// the Montgomery map and node:crypto, so that it starts in milliseconds.

/** The two keys one client shares with one server, derived from their static keys alone. */
export interface ClientSecrets {
  /** Makes the client tag of each epoch: HMAC(tagKey, label ‖ epoch). */
  readonly tagKey: Uint8Array;
  /** mac2 over the datagram: only this client and the server can make it. */
  readonly macKey: Uint8Array;
}

/**
 * HKDF over ss = X25519(server, client), once per label, with both public keys in `info`: the keys
 * belong to this pair of keys and to nothing else. Undefined for an all-zero ss (a low-order point).
 * Wipes `shared`.
 */
export function deriveClientSecrets(
  backend: CryptoBackend,
  shared: Uint8Array | undefined,
  clientPublic: Uint8Array,
  serverPublic: Uint8Array,
): ClientSecrets | undefined {
  if (!shared || isAllZero(shared)) return undefined;
  const info = concatBytes(clientPublic, serverPublic);
  const secrets = {
    tagKey: backend.hkdfSha256(shared, LABEL_TAG_KEY, info, KEY_SIZE),
    macKey: backend.hkdfSha256(shared, LABEL_MAC_KEY, info, KEY_SIZE),
  };
  wipe(shared);
  return secrets;
}

/**
 * The server's side of §6.1 for a client key whose Montgomery u is made already: the agreement and
 * the two HKDFs, no check of the key (the caller's). Undefined when the agreement fails or gives zero.
 */
export function agreedClientSecrets(
  ctx: ServerContext,
  clientPublic: Uint8Array,
  montgomeryU: Uint8Array,
): ClientSecrets | undefined {
  const shared = ctx.backend.x25519(ctx.serverSecretKey, montgomeryU);
  return deriveClientSecrets(ctx.backend, shared, clientPublic, ctx.serverPublicKey);
}
