/** A client's X25519 public key: the Montgomery form of its Ed25519 key, u = (1 + y) / (1 − y) (docs/protocol.md §6). @module */
import { ed25519 } from '@noble/curves/ed25519.js';

/**
 * The birational map libsodium (crypto_sign_ed25519_pk_to_curve25519) and age use. Server side only,
 * once per configured key at load: the key has passed the weak-key check (§1), so it is a canonical
 * point of prime order and its image is never a low-order u. Throws for a key that is not a point.
 */
export function ed25519PublicToX25519(publicKey: Uint8Array): Uint8Array {
  return ed25519.utils.toMontgomery(publicKey);
}
