/** Regenerates the known-answer vector files (valid.json, invalid.json) from seeded inputs: `pnpm exec tsx --conditions=source packages/spa-protocol/test/vectors/generate.ts`. @module */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildPlaintext,
  hex,
  replayRandom,
  sealPlaintext,
  seeded,
  senderSecrets,
  signBody,
  unhex,
  unsealDatagram,
  withMac,
  withTag,
} from 'spa-test-kit/forge/forge';
import { decodeBody, encodeBody } from '../../src/body.js';
import { computeClientTag, epochOf } from '../../src/client-keys.js';
import {
  CLIENT_TAG_OFFSET,
  EPHEMERAL_OFFSET,
  EPOCH_MS,
  HEADER_NONCE_OFFSET,
  HEADER_SIZE,
  SIGNATURE_SIZE,
} from '../../src/constants.js';
import { nobleBackend as b } from '../../src/crypto/noble.js';
import { computeKeyId } from '../../src/keys.js';
import { ed25519PublicToX25519 } from '../../src/montgomery.js';
import { encodeDatagram } from '../../src/packet.js';
import type { KnockRequest, SignedKnock } from '../../src/request.js';
import { challengeMod8, signedMessage, signWithTorsion, torsionedKey } from '../torsion.js';

const NOW = 1_767_225_600_000; // 2026-01-01T00:00:00Z, the first millisecond of an epoch
const WINDOW = 60_000;
const FUTURE_WINDOW = 5000;
const E = epochOf(NOW);
const serverSecret = seeded(b, 'server A', 32);
const serverPublic = b.x25519PublicKey(serverSecret);
const otherServerSecret = seeded(b, 'server B', 32);
const otherServerPublic = b.x25519PublicKey(otherServerSecret);
const aliceSeed = seeded(b, 'client alice', 32);
const alicePublic = b.ed25519PublicKey(aliceSeed);
const bobSeed = seeded(b, 'client bob', 32);
const bobPublic = b.ed25519PublicKey(bobSeed);
const mallorySeed = seeded(b, 'client mallory', 32);
const alice = senderSecrets(b, aliceSeed, serverPublic);
const bob = senderSecrets(b, bobSeed, serverPublic);

interface Valid {
  name: string;
  request: KnockRequest;
  timestampMs: number;
  /** The receiver's clock; NOW unless set. */
  nowMs?: number;
}

const valid: Valid[] = [
  {
    name: 'open-ssh-from-source',
    request: { kind: 'open', access: [{ type: 'service', name: 'ssh' }], addresses: [], durationSeconds: 0 },
    timestampMs: NOW,
  },
  {
    name: 'open-ports-for-v4-and-v6',
    request: {
      kind: 'open',
      access: [
        { type: 'tcp', port: 22 },
        { type: 'udp', port: 51820 },
        { type: 'service', name: 'web-admin_2' },
      ],
      addresses: ['198.51.100.7', '2001:db8::42'],
      durationSeconds: 300,
    },
    timestampMs: NOW - 59_000, // the previous epoch: its tag is still in the table
  },
  {
    name: 'close-ssh',
    request: {
      kind: 'close',
      access: [{ type: 'service', name: 'ssh' }],
      addresses: ['192.0.2.10'],
      durationSeconds: 0,
    },
    timestampMs: NOW + 30_000,
    nowMs: NOW + 26_000, // the sender's clock 4 s ahead: inside the future side of the window
  },
  {
    name: 'next-epoch-from-a-fast-clock',
    request: { kind: 'open', access: [{ type: 'tcp', port: 443 }], addresses: [], durationSeconds: 60 },
    timestampMs: NOW + EPOCH_MS + 2000,
    nowMs: NOW + EPOCH_MS - 1000, // 3 s ahead, across an epoch boundary: the window spans e and e + 1
  },
  {
    name: 'largest-request',
    request: {
      kind: 'open',
      access: Array.from({ length: 16 }, (_, i) => ({
        type: 'service' as const,
        name: `s${i}`.padEnd(32, 'x'),
      })),
      addresses: Array.from(
        { length: 8 },
        (_, i) => `2001:db8:ffff:ffff:ffff:ffff:ffff:${(i + 1).toString(16)}`,
      ),
      durationSeconds: 4_294_967_295,
    },
    timestampMs: NOW,
  },
];

const validOut = valid.map((v, i) => {
  const nonce = seeded(b, `nonce ${i}`, 16);
  const ephemeralSecret = seeded(b, `ephemeral ${i}`, 32);
  const { datagram } = encodeDatagram({
    backend: b,
    serverPublicKey: serverPublic,
    clientSecretKey: aliceSeed,
    request: v.request,
    now: () => v.timestampMs,
    random: replayRandom(nonce, ephemeralSecret),
  });
  const epoch = epochOf(v.timestampMs);
  return {
    name: v.name,
    serverSecretKey: hex(serverSecret),
    serverPublicKey: hex(serverPublic),
    clientSecretKey: hex(aliceSeed),
    clientPublicKey: hex(alicePublic),
    clientX25519PublicKey: hex(ed25519PublicToX25519(alicePublic)),
    keyId: hex(computeKeyId(b, alicePublic)),
    tagKey: hex(alice.tagKey),
    macKey: hex(alice.macKey),
    epoch,
    clientTag: hex(computeClientTag(b, alice.tagKey, epoch)),
    request: v.request,
    timestampMs: v.timestampMs,
    nonce: hex(nonce),
    ephemeralSecret: hex(ephemeralSecret),
    nowMs: v.nowMs ?? NOW,
    windowMs: WINDOW,
    futureWindowMs: FUTURE_WINDOW,
    datagram: hex(datagram),
    expect: 'ok',
  };
});

// Base datagrams to mutate into invalid ones: 260 bytes (the smallest) and 292 bytes.
const base = unhex(validOut[0]!.datagram);
const big = unhex(validOut[1]!.datagram);
const nearFuture = unhex(validOut[2]!.datagram);
const basePlain = unsealDatagram(b, serverSecret, base);
const baseBody = decodeBody(basePlain.subarray(SIGNATURE_SIZE))!;
/** Sealed to server A with alice's tag and mac2: past §7 1–7, as only alice (or the server) could. */
const reseal = (plain: Uint8Array, label: string, fields?: Parameters<typeof sealPlaintext>[5]): Uint8Array =>
  sealPlaintext(b, serverPublic, plain, seeded(b, label, 32), alice, fields);
const resign = (knock: SignedKnock, seed: Uint8Array): Uint8Array => {
  const body = encodeBody(knock);
  return buildPlaintext(signBody(b, seed, body), body);
};

// L = 2^252 + 27742317777372353535851937790883648493: S + L is the same signature, non-canonically encoded.
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const addL = (sig: Uint8Array): Uint8Array => {
  const out = sig.slice();
  let s = 0n;
  for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!);
  s += L;
  for (let i = 0; i < 32; i++) {
    out[32 + i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
};

// Torsion (§5): a signature whose R carries a small-order component verifies under the cofactored
// equation only.
const torsionedR = (): Uint8Array => {
  const body = encodeBody(baseBody.knock);
  return buildPlaintext(signWithTorsion(aliceSeed, signedMessage(body), { rTorsion: 1 }), body);
};
// A key A + T (§1): some of its holder's signatures verify under both equations. The table refuses it.
const aliceTorsioned = torsionedKey(aliceSeed, 1);
const bothEquationsSignable = (() => {
  const message = signedMessage(encodeBody({ ...baseBody.knock, keyId: computeKeyId(b, aliceTorsioned) }));
  for (let nonce = 0; nonce < 256; nonce++) {
    const sig = signWithTorsion(aliceSeed, message, { publicKey: aliceTorsioned, nonce });
    if (challengeMod8(sig, aliceTorsioned, message) === 0 && b.ed25519Verify(aliceTorsioned, message, sig)) {
      return true;
    }
  }
  return false;
})();
if (!bothEquationsSignable) throw new Error('no signature under A + T verifies cofactorless');
const identityKey = unhex('0100000000000000000000000000000000000000000000000000000000000000');
const offCurveKey = unhex('0200000000000000000000000000000000000000000000000000000000000000');

const flip = (d: Uint8Array, at: number, bit = 1): Uint8Array => {
  const out = d.slice();
  out[at]! ^= bit;
  return out;
};
const setByte = (d: Uint8Array, at: number, value: number): Uint8Array => {
  const out = d.slice();
  out[at] = value;
  return out;
};
const plainWith = (edit: (pt: Uint8Array) => void): Uint8Array => {
  const pt = basePlain.slice();
  edit(pt);
  return pt;
};
const withEphemeral = (d: Uint8Array, e: Uint8Array): Uint8Array => {
  const out = d.slice();
  out.set(e, EPHEMERAL_OFFSET);
  return withMac(b, alice, out); // E = 0 is a small-order point: the shared secret is all zero
};
const withHeaderNonce = (d: Uint8Array, nonce: Uint8Array): Uint8Array => {
  const out = d.slice();
  out.set(nonce, HEADER_NONCE_OFFSET);
  return withMac(b, alice, out);
};

const knownClients = [hex(alicePublic), hex(bobPublic)];
const aliceKeyId = hex(computeKeyId(b, alicePublic));
const baseNonce = hex(baseBody.knock.nonce);

interface Invalid {
  name: string;
  description: string;
  datagram: Uint8Array;
  clients?: string[];
  nowMs?: number;
  /** (key id, nonce) pairs the receiver's replay memory already holds. */
  replayMemory?: { keyId: string; nonce: string }[];
  expect: string;
}

const invalid: Invalid[] = [
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

/** Client lists a receiver must refuse to build its table from (§1): one weak key refuses them all. */
const tables = [
  {
    name: 'small-order-key',
    description: 'the identity point, under which (R = identity, S = 0) verifies every message',
    clients: [hex(alicePublic), hex(identityKey)],
  },
  {
    name: 'torsioned-key',
    description: "A + T with T of order 8: some of its holder's signatures verify under both equations",
    clients: [hex(alicePublic), hex(aliceTorsioned)],
  },
  {
    name: 'off-curve-key',
    description: 'y = 2: no point, no Montgomery form',
    clients: [hex(offCurveKey)],
  },
].map((t) => ({ ...t, serverSecretKey: hex(serverSecret), expect: 'WEAK_KEY' }));

function encodeFor(server: Uint8Array): Uint8Array {
  return encodeDatagram({
    backend: b,
    serverPublicKey: server,
    clientSecretKey: aliceSeed,
    request: valid[0]!.request,
    now: () => NOW,
    random: replayRandom(seeded(b, 'n', 16), seeded(b, 'e', 32)),
  }).datagram;
}

if (HEADER_SIZE !== 68 || base.length !== 260) throw new Error('the base datagram is not the smallest');

const invalidOut = invalid.map((v) => ({
  name: v.name,
  description: v.description,
  serverSecretKey: hex(serverSecret),
  clients: v.clients ?? knownClients,
  nowMs: v.nowMs ?? NOW,
  windowMs: WINDOW,
  futureWindowMs: FUTURE_WINDOW,
  replayMemory: v.replayMemory ?? [],
  datagram: hex(v.datagram),
  expect: v.expect,
}));

const dir = fileURLToPath(new URL('.', import.meta.url));
const header =
  'SPA wire format v2 known-answer vectors (docs/protocol.md). Hex strings; generated by generate.ts.';
writeFileSync(`${dir}valid.json`, `${JSON.stringify({ description: header, vectors: validOut }, null, 2)}\n`);
writeFileSync(
  `${dir}invalid.json`,
  `${JSON.stringify({ description: header, vectors: invalidOut, tables }, null, 2)}\n`,
);
console.log(
  `wrote ${validOut.length} valid and ${invalidOut.length} invalid vectors, ${tables.length} tables`,
);
