/** The Node backend's key objects, kept between calls: always the array's current bytes, as noble computes them. */
import { randomBytes } from 'node:crypto';
import { nobleBackend } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../src/node-backend.js';

const message = new TextEncoder().encode('knock');

describe('nodeBackend Ed25519 with a seed array used again', () => {
  it('gives the public key and signature noble gives, call after call', () => {
    const seed = new Uint8Array(randomBytes(32));
    for (let i = 0; i < 3; i++) {
      expect(nodeBackend.ed25519PublicKey(seed)).toEqual(nobleBackend.ed25519PublicKey(seed));
      expect(nodeBackend.ed25519Sign(seed, message)).toEqual(nobleBackend.ed25519Sign(seed, message));
    }
  });

  it('signs with the new key once the array holds another seed (refilled, or wiped), never the old one', () => {
    const seed = new Uint8Array(randomBytes(32));
    const before = nodeBackend.ed25519PublicKey(seed);
    seed.set(randomBytes(32));
    const after = nodeBackend.ed25519PublicKey(seed);
    expect(after).not.toEqual(before);
    expect(nodeBackend.ed25519Verify(after, message, nodeBackend.ed25519Sign(seed, message))).toBe(true);
    seed.fill(0);
    expect(nodeBackend.ed25519PublicKey(seed)).toEqual(nobleBackend.ed25519PublicKey(seed));
  });
});

describe('nodeBackend X25519 and verification with a key array used again', () => {
  it('computes with the X25519 secret the array holds now, as noble does', () => {
    const secret = new Uint8Array(randomBytes(32));
    const peer = nobleBackend.x25519PublicKey(new Uint8Array(randomBytes(32)));
    expect(nodeBackend.x25519(secret, peer)).toEqual(nobleBackend.x25519(secret, peer));
    secret.set(randomBytes(32));
    expect(nodeBackend.x25519(secret, peer)).toEqual(nobleBackend.x25519(secret, peer));
    expect(nodeBackend.x25519PublicKey(secret)).toEqual(nobleBackend.x25519PublicKey(secret));
  });

  it('verifies against the public key the array holds now: a refilled array no longer accepts the old signer', () => {
    const alice = new Uint8Array(randomBytes(32));
    const bob = new Uint8Array(randomBytes(32));
    const key = Uint8Array.from(nodeBackend.ed25519PublicKey(alice));
    const signed = nodeBackend.ed25519Sign(alice, message);
    expect(nodeBackend.ed25519Verify(key, message, signed)).toBe(true);
    key.set(nodeBackend.ed25519PublicKey(bob));
    expect(nodeBackend.ed25519Verify(key, message, signed)).toBe(false);
    expect(nodeBackend.ed25519Verify(key, message, nodeBackend.ed25519Sign(bob, message))).toBe(true);
  });
});
