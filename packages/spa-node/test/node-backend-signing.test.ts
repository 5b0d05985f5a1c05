/** The Node backend's Ed25519 signing key, kept between calls: always the seed's current bytes, as noble computes them. */
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
