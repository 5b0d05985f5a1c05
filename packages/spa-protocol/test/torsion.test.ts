/** Ed25519 torsion (§1, §5): both backends give one verdict, and a key with a small-order component is refused at parse. */
import fc from 'fast-check';
import { nodeBackend } from 'spa-node';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../src/crypto/noble.js';
import { isWeakEd25519PublicKey } from '../src/ed25519-checks.js';
import { ERROR_CODES } from '../src/errors.js';
import { formatPublicKey, parsePublicKey } from '../src/keys.js';
import { codeOf } from './code-of.js';
import { challengeMod8, signWithTorsion, TORSION, torsionedKey } from './torsion.js';

const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });
const message = fc.uint8Array({ maxLength: 200 });
const torsionIndex = fc.integer({ min: 0, max: 7 });

describe('Ed25519 torsion', () => {
  it('the torsion points used are the eight of order dividing 8', () => {
    expect(TORSION[4]!.is0()).toBe(false);
    expect(TORSION[1]!.multiplyUnsafe(8n).is0()).toBe(true);
    expect(new Set(TORSION.map((t) => t.toHex())).size).toBe(8);
  });

  it('noble and OpenSSL agree on every signature with a torsioned R or key, and follow the cofactorless equation', () => {
    fc.assert(
      fc.property(seed, message, torsionIndex, torsionIndex, fc.nat(7), (sd, msg, rT, aT, nonce) => {
        const publicKey = torsionedKey(sd, aT);
        const sig = signWithTorsion(sd, msg, { rTorsion: rT, publicKey, nonce });
        const noble = nobleBackend.ed25519Verify(publicKey, msg, sig);
        const node = nodeBackend.ed25519Verify(publicKey, msg, sig);
        expect(noble).toBe(node);
        // [S]B − [k]A' = R − T_R − [k]T_A: equal to R exactly when the torsion terms cancel.
        const k = challengeMod8(sig, publicKey, msg);
        const cancels = TORSION[rT]!.add(TORSION[aT]!.multiplyUnsafe(BigInt(k))).is0();
        expect(noble).toBe(cancels);
      }),
      { numRuns: 60 },
    );
  });

  it('a signature with a torsioned R fails on both backends, the same signature without verifies on both', () => {
    fc.assert(
      fc.property(seed, message, fc.integer({ min: 1, max: 7 }), (sd, msg, rT) => {
        const publicKey = torsionedKey(sd, 0);
        const clean = signWithTorsion(sd, msg);
        const dirty = signWithTorsion(sd, msg, { rTorsion: rT });
        for (const b of [nobleBackend, nodeBackend]) {
          expect(b.ed25519Verify(publicKey, msg, clean)).toBe(true);
          expect(b.ed25519Verify(publicKey, msg, dirty)).toBe(false);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a client key with a small-order component as WEAK_KEY at parse, and accepts the key itself', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 1, max: 7 }), (sd, t) => {
        const dirty = torsionedKey(sd, t);
        expect(isWeakEd25519PublicKey(dirty)).toBe(true);
        expect(codeOf(() => parsePublicKey('client', formatPublicKey('client', dirty)))).toBe(
          ERROR_CODES.weakKey,
        );
        const clean = torsionedKey(sd, 0);
        expect(isWeakEd25519PublicKey(clean)).toBe(false);
        expect(parsePublicKey('client', formatPublicKey('client', clean))).toEqual(clean);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses 32 bytes that are no curve point as WEAK_KEY', () => {
    // y = 2 has no x on edwards25519 (y² − 1 over d·y² + 1 is not a square).
    const offCurve = new Uint8Array(32);
    offCurve[0] = 2;
    expect(() => nobleBackend.ed25519Verify(offCurve, new Uint8Array(1), new Uint8Array(64))).not.toThrow();
    expect(codeOf(() => parsePublicKey('client', formatPublicKey('client', offCurve)))).toBe(
      ERROR_CODES.weakKey,
    );
  });
});
