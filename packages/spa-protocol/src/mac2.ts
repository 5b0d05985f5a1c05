/** mac2: the check that only the holder of one client's key (or the server) can pass, before any public-key work (docs/protocol.md §6). @module */
import { MAC2_SIZE } from './constants.js';
import type { CryptoBackend } from './crypto/backend.js';

/** HMAC-SHA256(macKey, covered)[0..16]. */
export function computeMac2(backend: CryptoBackend, macKey: Uint8Array, covered: Uint8Array): Uint8Array {
  return backend.hmacSha256(macKey, covered).subarray(0, MAC2_SIZE);
}

/** Constant-time check of the last 16 bytes against the MAC of everything before them. */
export function checkMac2(backend: CryptoBackend, macKey: Uint8Array, datagram: Uint8Array): boolean {
  return checkMac2Keyed(
    (covered, length) => backend.hmacSha256(macKey, covered.subarray(0, length)),
    datagram,
  );
}

/** checkMac2 with the key prepared once (backend.hmacSha256Keyed): a receiver's per-datagram form. */
export function checkMac2Keyed(
  keyed: (data: Uint8Array, length?: number) => Uint8Array,
  datagram: Uint8Array,
): boolean {
  const end = datagram.length - MAC2_SIZE;
  if (end < 0) return false;
  const mac = keyed(datagram, end);
  // Compared in place, in constant time: views of both would cost more than the loop on this path.
  let diff = 0;
  for (let i = 0; i < MAC2_SIZE; i++) diff |= mac[i]! ^ datagram[end + i]!;
  return diff === 0;
}
