/** mac1: the pre-filter that drops datagrams from anyone who does not know the server key (docs/protocol.md §6). @module */
import { concatBytes, equalBytes } from './bytes.js';
import { LABEL_MAC1, MAC1_SIZE } from './constants.js';
import type { CryptoBackend } from './crypto/backend.js';

/** mac1Key = SHA-256("spa-v1 mac1" || serverPublicKey). Computed once per server key. */
export function deriveMac1Key(backend: CryptoBackend, serverPublicKey: Uint8Array): Uint8Array {
  return backend.sha256(concatBytes(LABEL_MAC1, serverPublicKey));
}

export function computeMac1(backend: CryptoBackend, mac1Key: Uint8Array, covered: Uint8Array): Uint8Array {
  return backend.hmacSha256(mac1Key, covered).subarray(0, MAC1_SIZE);
}

/** Constant-time check of the last 16 bytes against the MAC of everything before them. */
export function checkMac1(backend: CryptoBackend, mac1Key: Uint8Array, datagram: Uint8Array): boolean {
  const end = datagram.length - MAC1_SIZE;
  return equalBytes(computeMac1(backend, mac1Key, datagram.subarray(0, end)), datagram.subarray(end));
}
