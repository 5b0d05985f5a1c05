/** The primitives the protocol needs, implemented by noble (portable) and node:crypto (fast). @module */

/**
 * Both backends must behave identically: same bytes out, same accept/refuse. Functions that take
 * network-derived input return `undefined`/`false` on failure and never throw for bad data.
 */
export interface CryptoBackend {
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
  /** Only for a client's X25519 secret from its Ed25519 seed (§6), once per knock. */
  sha512(data: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /**
   * hmacSha256 under one key used for many messages (a client's mac2 key, §7 6): the backend may
   * prepare the key once. Same bytes as hmacSha256 over `data`'s first `length` bytes (all of them by
   * default), so a receiver need not make a view of its datagram. The key is read now: a later change
   * to the array does not reach the returned function.
   */
  hmacSha256Keyed(key: Uint8Array): (data: Uint8Array, length?: number) => Uint8Array;
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  x25519PublicKey(secret: Uint8Array): Uint8Array;
  /** The raw shared secret, or undefined when the computation fails (e.g. an invalid point). */
  x25519(secret: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined;
  chachaSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** The plaintext, or undefined when the tag does not verify. */
  chachaOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined;
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  /** Strict RFC 8032 verification; false for any invalid input. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}
