/** node:crypto with each key imported once: generating a corpus of forgeries at key-exchange speed, not key-import speed. @module */
import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject, sign } from 'node:crypto';
import type { CryptoBackend } from 'spa-protocol';

/**
 * The same backend with key objects imported once per key instead of once per call: the pool of
 * ephemerals, the server key and two signing keys are all there is, and key import (not the server)
 * would otherwise bound the corpus rate.
 */
export function fastBackend(backend: CryptoBackend): CryptoBackend {
  const imported = new Map<string, KeyObject>();
  const importKey = (prefix: string, key: Uint8Array, kind: 'pkcs8' | 'spki'): KeyObject => {
    const id = prefix + Buffer.from(key).toString('hex');
    let k = imported.get(id);
    if (!k) {
      const der = Buffer.concat([Buffer.from(prefix, 'hex'), key]);
      k =
        kind === 'pkcs8'
          ? createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
          : createPublicKey({ key: der, format: 'der', type: 'spki' });
      imported.set(id, k);
    }
    return k;
  };
  const publicOf = new WeakMap<Uint8Array, Uint8Array>();
  return {
    ...backend,
    ed25519Sign: (seed, message) =>
      new Uint8Array(sign(null, message, importKey(ED25519_PKCS8, seed, 'pkcs8'))),
    x25519PublicKey(secret) {
      let pub = publicOf.get(secret);
      if (!pub) {
        pub = backend.x25519PublicKey(secret);
        publicOf.set(secret, pub);
      }
      return pub;
    },
    x25519: (secret, peer) =>
      new Uint8Array(
        diffieHellman({
          privateKey: importKey(X25519_PKCS8, secret, 'pkcs8'),
          publicKey: importKey(X25519_SPKI, peer, 'spki'),
        }),
      ),
  };
}

const ED25519_PKCS8 = '302e020100300506032b657004220420';
const X25519_PKCS8 = '302e020100300506032b656e04220420';
const X25519_SPKI = '302a300506032b656e032100';
