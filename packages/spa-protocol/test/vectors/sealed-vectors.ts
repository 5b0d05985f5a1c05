/** Invalid vectors refused once the datagram is opened: decryption, padding, body, bindings, clock, signature. @module */
import { seeded, withMac } from 'spa-test-kit/forge/forge';
import { EPOCH_MS, SIGNATURE_SIZE } from '../../src/constants.js';
import { nobleBackend as b } from '../../src/crypto/noble.js';
import { computeKeyId } from '../../src/keys.js';
import {
  addL,
  flip,
  plainWith,
  reseal,
  resign,
  torsionedR,
  withEphemeral,
  withHeaderNonce,
} from './datagram-edits.js';
import {
  alice,
  aliceSeed,
  base,
  baseBody,
  basePlain,
  big,
  bobPublic,
  E,
  FUTURE_WINDOW,
  type Invalid,
  mallorySeed,
  NOW,
  nearFuture,
  otherServerPublic,
  WINDOW,
} from './vector-inputs.js';

export const sealedVectors: Invalid[] = [
  {
    name: 'tampered-ciphertext-remac',
    description: "ciphertext flipped, mac2 recomputed with alice's key",
    datagram: withMac(b, alice, flip(base, 100)),
    expect: 'decrypt-failed',
  },
  {
    name: 'tampered-header-nonce-remac',
    description: 'header nonce changed after sealing, mac2 recomputed: the header is the AEAD data',
    datagram: withHeaderNonce(base, seeded(b, 'other nonce', 16)),
    expect: 'decrypt-failed',
  },
  {
    name: 'small-order-ephemeral',
    description: 'E is a small-order point (all-zero shared secret), mac2 recomputed',
    datagram: withEphemeral(base, new Uint8Array(32)),
    expect: 'decrypt-failed',
  },
  {
    name: 'nonzero-padding',
    description: 'padding byte not zero',
    datagram: reseal(
      plainWith((pt) => {
        pt[pt.length - 1] = 1;
      }),
      'e1',
    ),
    expect: 'malformed',
  },
  {
    name: 'extra-padding-block',
    description: 'an extra zero padding block',
    datagram: reseal(new Uint8Array([...basePlain, ...new Uint8Array(32)]), 'e2'),
    expect: 'malformed',
  },
  {
    name: 'bad-kind',
    description: 'request kind 3',
    datagram: reseal(
      plainWith((pt) => {
        pt[SIGNATURE_SIZE + 73] = 3;
      }),
      'e3',
    ),
    expect: 'malformed',
  },
  {
    name: 'zero-access',
    description: 'access count 0',
    datagram: reseal(
      plainWith((pt) => {
        pt[SIGNATURE_SIZE + 78] = 0;
      }),
      'e4',
    ),
    expect: 'malformed',
  },
  {
    name: 'nonce-mismatch',
    description: "header nonce ≠ the signed body's, sealed and MACed as alice",
    datagram: reseal(basePlain, 'e14', { nonce: seeded(b, 'other nonce', 16) }),
    expect: 'malformed',
  },
  {
    name: 'body-version',
    description: 'signed body version 1 inside a version 2 datagram',
    datagram: reseal(resign({ ...baseBody.knock, version: 1 }, aliceSeed), 'e5'),
    expect: 'bad-version',
  },
  {
    name: 'wrong-server',
    description: 'signed for server B, re-sealed to server A by B (who can read it)',
    datagram: reseal(resign({ ...baseBody.knock, serverKey: otherServerPublic }, aliceSeed), 'e6'),
    expect: 'wrong-server',
  },
  {
    name: 'wrong-client',
    description: "alice's tag and mac2, a body for bob's key id",
    datagram: reseal(resign({ ...baseBody.knock, keyId: computeKeyId(b, bobPublic) }, aliceSeed), 'e15'),
    expect: 'wrong-client',
  },
  {
    name: 'wrong-epoch',
    description: "alice's tag of epoch e, a timestamp of e + 1 inside the window (mac2 valid)",
    datagram: reseal(resign({ ...baseBody.knock, timestampMs: NOW + EPOCH_MS }, aliceSeed), 'e16', {
      epoch: E,
    }),
    nowMs: NOW + EPOCH_MS - 1000,
    expect: 'wrong-epoch',
  },
  {
    name: 'wrong-epoch-past',
    description: "alice's tag of epoch e, a timestamp 1 s earlier, in e − 1 (mac2 valid)",
    datagram: reseal(resign({ ...baseBody.knock, timestampMs: NOW - 1000 }, aliceSeed), 'e17', {
      epoch: E,
    }),
    expect: 'wrong-epoch',
  },
  {
    name: 'stale-old',
    description: 'timestamp 60.001 s before now, its epoch still in the table',
    datagram: big,
    nowMs: NOW - 59_000 + WINDOW + 1,
    expect: 'stale',
  },
  {
    name: 'stale-near-future',
    description: 'timestamp 5.001 s after now, in an epoch the window touches',
    datagram: nearFuture,
    nowMs: NOW + 30_000 - FUTURE_WINDOW - 1,
    expect: 'stale',
  },
  {
    name: 'bad-signature',
    description: "alice's key id, signed by mallory",
    datagram: reseal(resign(baseBody.knock, mallorySeed), 'e8'),
    expect: 'bad-signature',
  },
  {
    name: 'flipped-signature',
    description: 'one signature bit flipped',
    datagram: reseal(
      plainWith((pt) => {
        pt[5]! ^= 4;
      }),
      'e9',
    ),
    expect: 'bad-signature',
  },
  {
    name: 'non-canonical-signature',
    description: 'S + L: the same signature, malleated; permissive verifiers accept it',
    datagram: reseal(
      plainWith((pt) => pt.set(addL(pt.subarray(0, 64)))),
      'e10',
    ),
    expect: 'bad-signature',
  },
  {
    name: 'torsioned-r',
    description:
      'R + T with T of order 8, S = r + k·a: valid under the cofactored equation, refused by the cofactorless one (§5)',
    datagram: reseal(torsionedR(), 'e13'),
    expect: 'bad-signature',
  },
];
