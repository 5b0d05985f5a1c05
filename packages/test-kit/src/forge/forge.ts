/** Test-only forging: builds datagrams a real client never would (re-sealed, re-signed, re-MACed), for refusal vectors. @module */
import type { CryptoBackend } from 'spa-protocol';
import {
  computeMac1,
  concatBytes,
  deriveMac1Key,
  EPHEMERAL_OFFSET,
  HEADER_SIZE,
  LABEL_SIGNATURE,
  MAC1_SIZE,
  PAD_BLOCK,
  SIGNATURE_SIZE,
  seal,
  unseal,
} from 'spa-protocol/wire';

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

/** A deterministic random source replaying the given chunks in order (nonce, then ephemeral secret). */
export function replayRandom(...chunks: Uint8Array[]): (n: number) => Uint8Array {
  const queue = [...chunks];
  return (n) => {
    const next = queue.shift();
    if (!next || next.length !== n) throw new Error(`replayRandom: expected ${n} bytes`);
    return next.slice();
  };
}

/** Seeded bytes: SHA-256 chains of a label, so vectors are reproducible without storing randomness twice. */
export function seeded(backend: CryptoBackend, label: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let block = backend.sha256(new TextEncoder().encode(label));
  for (let at = 0; at < n; at += 32) {
    out.set(block.subarray(0, Math.min(32, n - at)), at);
    block = backend.sha256(block);
  }
  return out;
}

/** Unseals a datagram with the server's secret: returns the plaintext (signature || body || padding). */
export function unsealDatagram(
  backend: CryptoBackend,
  serverSecret: Uint8Array,
  datagram: Uint8Array,
): Uint8Array {
  const serverPublic = backend.x25519PublicKey(serverSecret);
  const header = datagram.subarray(0, HEADER_SIZE);
  const pt = unseal(
    backend,
    serverSecret,
    serverPublic,
    header.subarray(EPHEMERAL_OFFSET),
    header,
    datagram.subarray(HEADER_SIZE, datagram.length - MAC1_SIZE),
  );
  if (!pt) throw new Error('unsealDatagram: does not open');
  return pt;
}

/** Seals any plaintext to a server key and appends a valid mac1: what an attacker who knows the server's public key can do. */
export function sealPlaintext(
  backend: CryptoBackend,
  serverPublic: Uint8Array,
  plaintext: Uint8Array,
  ephemeralSecret: Uint8Array,
  header?: Uint8Array,
): Uint8Array {
  const h = header ?? new Uint8Array(HEADER_SIZE);
  if (!header) {
    h[0] = 1;
    h.set(backend.x25519PublicKey(ephemeralSecret), EPHEMERAL_OFFSET);
  }
  const sealed = seal(backend, serverPublic, ephemeralSecret, h.subarray(EPHEMERAL_OFFSET), h, plaintext);
  if (!sealed) throw new Error('sealPlaintext: bad server key');
  return withMac(backend, serverPublic, concatBytes(h, sealed, new Uint8Array(MAC1_SIZE)));
}

/** Recomputes the last 16 bytes as a valid mac1 for `serverPublic`. */
export function withMac(backend: CryptoBackend, serverPublic: Uint8Array, datagram: Uint8Array): Uint8Array {
  const out = datagram.slice();
  const end = out.length - MAC1_SIZE;
  out.set(computeMac1(backend, deriveMac1Key(backend, serverPublic), out.subarray(0, end)), end);
  return out;
}

/** Plaintext from a signature and a body, padded as §4 requires. */
export function buildPlaintext(signature: Uint8Array, body: Uint8Array): Uint8Array {
  const size = Math.ceil((SIGNATURE_SIZE + body.length) / PAD_BLOCK) * PAD_BLOCK;
  const pt = new Uint8Array(size);
  pt.set(signature);
  pt.set(body, SIGNATURE_SIZE);
  return pt;
}

export const signBody = (backend: CryptoBackend, seed: Uint8Array, body: Uint8Array): Uint8Array =>
  backend.ed25519Sign(seed, concatBytes(LABEL_SIGNATURE, body));
