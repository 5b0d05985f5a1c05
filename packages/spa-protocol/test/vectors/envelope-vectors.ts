/** Invalid vectors refused before the plaintext is read: length, header, client tag, mac2, replay. @module */
import { hex, withMac, withTag } from 'spa-test-kit/forge/forge';
import { CLIENT_TAG_OFFSET } from '../../src/constants.js';
import { nobleBackend as b } from '../../src/crypto/noble.js';
import { flip, setByte } from './datagram-edits.js';
import {
  alice,
  aliceKeyId,
  base,
  baseNonce,
  big,
  bob,
  bobPublic,
  E,
  encodeFor,
  type Invalid,
  NOW,
  otherServerPublic,
} from './vector-inputs.js';

export const envelopeVectors: Invalid[] = [
  { name: 'empty', description: 'zero bytes', datagram: new Uint8Array(0), expect: 'too-short' },
  {
    name: 'truncated',
    description: 'a valid 260-byte datagram less its last 32 bytes',
    datagram: base.subarray(0, base.length - 32),
    expect: 'too-short',
  },
  {
    name: 'truncated-one-byte',
    description: 'a valid 292-byte datagram less its last byte',
    datagram: big.subarray(0, big.length - 1),
    expect: 'bad-length',
  },
  {
    name: 'extended-one-byte',
    description: 'a valid datagram plus one byte',
    datagram: new Uint8Array([...base, 0]),
    expect: 'bad-length',
  },
  { name: 'oversized', description: '1,201 bytes', datagram: new Uint8Array(1201), expect: 'too-long' },
  {
    name: 'version-1',
    description: 'header version 1 (mac2 recomputed)',
    datagram: withMac(b, alice, setByte(base, 0, 1)),
    expect: 'bad-version',
  },
  {
    name: 'version-3',
    description: 'header version 3 (mac2 recomputed)',
    datagram: withMac(b, alice, setByte(base, 0, 3)),
    expect: 'bad-version',
  },
  {
    name: 'reserved-set',
    description: 'a reserved header byte set (mac2 recomputed)',
    datagram: withMac(b, alice, flip(base, 2)),
    expect: 'bad-version',
  },
  {
    name: 'wrong-tag',
    description: 'one client tag bit flipped',
    datagram: flip(base, CLIENT_TAG_OFFSET + 15, 0x10),
    expect: 'unknown-client',
  },
  {
    name: 'tag-outside-window',
    description: "alice's tag of epoch e − 2, where the window touches e − 1 and e (mac2 recomputed)",
    datagram: withTag(b, alice, E - 2, base),
    expect: 'unknown-client',
  },
  {
    name: 'tag-of-future-epoch',
    description: 'a valid datagram 61 s ahead of the receiver: its epoch is not one the window touches',
    datagram: base,
    nowMs: NOW - 61_000,
    expect: 'unknown-client',
  },
  {
    name: 'for-another-server',
    description: "a valid datagram for server B: alice's tags differ per server",
    datagram: encodeFor(otherServerPublic),
    expect: 'unknown-client',
  },
  {
    name: 'unknown-client',
    description: 'a valid datagram from a key the server does not know',
    datagram: base,
    clients: [hex(bobPublic)],
    expect: 'unknown-client',
  },
  {
    name: 'tampered-ciphertext',
    description: 'one ciphertext bit flipped',
    datagram: flip(base, 100),
    expect: 'bad-mac',
  },
  {
    name: 'tampered-mac',
    description: 'one mac2 bit flipped',
    datagram: flip(base, base.length - 1, 0x80),
    expect: 'bad-mac',
  },
  {
    name: 'mac-of-another-client',
    description: "alice's tag, mac2 under bob's key: bob cannot pass for alice",
    datagram: withMac(b, bob, base),
    expect: 'bad-mac',
  },
  {
    name: 'replay',
    description: "a valid datagram whose (key id, nonce) the receiver's replay memory holds",
    datagram: base,
    replayMemory: [{ keyId: aliceKeyId, nonce: baseNonce }],
    expect: 'replay',
  },
];
