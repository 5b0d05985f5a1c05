/** §6.1 the Montgomery form of a client key, computed from y alone: the same bytes as noble's map through the decoded point, and nothing for a key §1 refuses. */
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { hex } from 'spa-test-kit/forge/forge';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../src/crypto/noble.js';
import {
  ed25519PublicToX25519,
  uncheckedEd25519PublicToX25519,
  uncheckedEd25519PublicToX25519Many,
} from '../src/montgomery.js';
import { TORSION, torsionedKey } from './torsion.js';

describe('ed25519PublicToX25519', () => {
  it("gives noble's toMontgomery bytes for any valid key, whichever sign x has", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const key = nobleBackend.ed25519PublicKey(seed);
        expect(hex(ed25519PublicToX25519(key))).toBe(hex(ed25519.utils.toMontgomery(key)));
        // -A has the same y: the same u (the map forgets x's sign).
        const negated = ed25519.Point.fromBytes(key).negate().toBytes();
        expect(hex(ed25519PublicToX25519(negated))).toBe(hex(ed25519.utils.toMontgomery(key)));
      }),
      { numRuns: 200 },
    );
  });

  it('throws for the eight small-order points and for a key with any torsion component', () => {
    for (const [t, point] of TORSION.entries()) {
      expect(() => ed25519PublicToX25519(point.toBytes())).toThrow();
      const seed = new Uint8Array(32).fill(t + 1);
      if (t !== 0) expect(() => ed25519PublicToX25519(torsionedKey(seed, t))).toThrow();
      else expect(ed25519PublicToX25519(torsionedKey(seed, t))).toHaveLength(32);
    }
  });
});

describe('uncheckedEd25519PublicToX25519Many', () => {
  it('gives each key the u the one-key map gives it, and nothing for a key the byte checks refuse', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom(...TORSION.keys())),
          {
            maxLength: 20,
          },
        ),
        (items) => {
          // Valid keys, arbitrary bytes (often no curve point: the twist), and small-order points.
          const keys = items.map((item, i) =>
            typeof item === 'number'
              ? TORSION[item]!.toBytes()
              : i % 2
                ? item
                : nobleBackend.ed25519PublicKey(item),
          );
          const many = uncheckedEd25519PublicToX25519Many(keys);
          keys.forEach((key, i) => {
            let one: string | undefined;
            try {
              one = hex(uncheckedEd25519PublicToX25519(key));
            } catch {
              one = undefined;
            }
            expect(many[i] && hex(many[i])).toBe(one);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
