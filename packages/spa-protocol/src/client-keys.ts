/** The per-client static secret and what derives from it: the tag key, the MAC key, the client tag of an epoch (docs/protocol.md §6). @module */
import { wipe } from './bytes.js';
import { agreedClientSecrets, type ClientSecrets, deriveClientSecrets } from './client-secrets.js';
import { CLIENT_TAG_SIZE, EPOCH_MS, KEY_SIZE, LABEL_CLIENT_TAG } from './constants.js';
import type { CryptoBackend } from './crypto/backend.js';
import { failsCheapKeyChecks, isWeakEd25519PublicKey } from './ed25519-checks.js';
import { ERROR_CODES, SpaError } from './errors.js';
import { ed25519PublicToX25519, uncheckedEd25519PublicToX25519 } from './montgomery.js';
import type { ServerContext } from './server-context.js';

/** ⌊timestamp / 60 s⌋: the epoch a timestamp, and so its client tag, belongs to. */
export const epochOf = (timestampMs: number): number => Math.floor(timestampMs / EPOCH_MS);

/**
 * Client side: its X25519 secret is the clamped first half of SHA-512(seed), the scalar of its Ed25519
 * key (RFC 8032 §5.1.5); X25519 clamps it. Undefined when the server key is a low-order point.
 */
export function clientSecretsFromSeed(
  backend: CryptoBackend,
  seed: Uint8Array,
  clientPublic: Uint8Array,
  serverPublic: Uint8Array,
): ClientSecrets | undefined {
  const hash = backend.sha512(seed);
  const scalar = hash.slice(0, KEY_SIZE);
  wipe(hash);
  const shared = backend.x25519(scalar, serverPublic);
  wipe(scalar);
  return deriveClientSecrets(backend, shared, clientPublic, serverPublic);
}

/**
 * Server side, once per configured key at load and reload (never per datagram). The key must have
 * passed the weak-key check (§1). Undefined when the agreement fails or gives zero.
 */
export function clientSecretsFromServerKey(
  backend: CryptoBackend,
  serverSecret: Uint8Array,
  serverPublic: Uint8Array,
  clientPublic: Uint8Array,
): ClientSecrets | undefined {
  let montgomery: Uint8Array;
  try {
    montgomery = ed25519PublicToX25519(clientPublic);
  } catch {
    return undefined;
  }
  return deriveClientSecrets(backend, backend.x25519(serverSecret, montgomery), clientPublic, serverPublic);
}

/**
 * The 16-byte client tag of one epoch: HMAC-SHA256(tagKey, "spa-v2 client tag" ‖ epoch as 8 bytes)[0..16].
 * A copy, not a view: the MAC is a small array on V8's heap, and a view of it needs its buffer,
 * which V8 then moves off the heap (a native allocation per tag, 30,000 at a fleet's load).
 */
export function computeClientTag(backend: CryptoBackend, tagKey: Uint8Array, epoch: number): Uint8Array {
  return backend.hmacSha256(tagKey, tagMessage(epoch)).slice(0, CLIENT_TAG_SIZE);
}

// A table makes every client's tag for one epoch in a row: the message is the same for all of them.
let lastEpoch = Number.NaN;
const lastMessage = new Uint8Array(LABEL_CLIENT_TAG.length + 8);

/** "spa-v2 client tag" ‖ epoch as 8 bytes; the array is shared, and read before the next call. */
function tagMessage(epoch: number): Uint8Array {
  if (epoch !== lastEpoch) {
    lastMessage.set(LABEL_CLIENT_TAG);
    new DataView(lastMessage.buffer).setBigUint64(LABEL_CLIENT_TAG.length, BigInt(epoch));
    lastEpoch = epoch;
  }
  return lastMessage;
}

/** §1's weak-key check, then §6.1's agreement: the per-key cost of a key no earlier table held. */
export function checkedClientSecrets(ctx: ServerContext, publicKey: Uint8Array, id: string): ClientSecrets {
  if (isWeakEd25519PublicKey(publicKey)) {
    throw new SpaError(ERROR_CODES.weakKey, `client key ${id} is weak (docs/protocol.md §1)`);
  }
  const secrets = clientSecretsFromServerKey(
    ctx.backend,
    ctx.serverSecretKey,
    ctx.serverPublicKey,
    publicKey,
  );
  if (!secrets) throw new SpaError(ERROR_CODES.invalidKey, `client key ${id}: key agreement failed`);
  return secrets;
}

/**
 * checkedClientSecrets with §1's subgroup check left to the caller, which makes it before it trusts
 * the secrets (ClientTable, at the key's first datagram or in the background): the byte checks, then
 * the agreement. Same errors for a key those checks refuse.
 */
export function provisionalClientSecrets(
  ctx: ServerContext,
  publicKey: Uint8Array,
  id: string,
  /** The key's Montgomery u when already made (uncheckedEd25519PublicToX25519Many). */
  montgomeryU?: Uint8Array,
): ClientSecrets {
  if (failsCheapKeyChecks(publicKey)) {
    throw new SpaError(ERROR_CODES.weakKey, `client key ${id} is weak (docs/protocol.md §1)`);
  }
  const montgomery = montgomeryU ?? uncheckedEd25519PublicToX25519(publicKey);
  const secrets = agreedClientSecrets(ctx, publicKey, montgomery);
  if (!secrets) throw new SpaError(ERROR_CODES.invalidKey, `client key ${id}: key agreement failed`);
  return secrets;
}
