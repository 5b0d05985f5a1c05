/** Regenerates the known-answer vector files (valid.json, invalid.json) from seeded inputs: `pnpm exec tsx packages/spa-protocol/test/vectors/generate.ts`. @module */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildPlaintext,
  hex,
  replayRandom,
  sealPlaintext,
  seeded,
  signBody,
  unsealDatagram,
  withMac,
} from 'spa-test-kit/forge/forge';
import { decodeBody, encodeBody } from '../../src/body.js';
import { HEADER_SIZE, SIGNATURE_SIZE } from '../../src/constants.js';
import { nobleBackend as b } from '../../src/crypto/noble.js';
import { computeKeyId } from '../../src/keys.js';
import { encodeDatagram } from '../../src/packet.js';
import type { KnockRequest, SignedKnock } from '../../src/request.js';
import { challengeMod8, signedMessage, signWithTorsion, torsionedKey } from '../torsion.js';

const NOW = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const WINDOW = 60_000;
const FUTURE_WINDOW = 5000;
const serverSecret = seeded(b, 'server A', 32);
const serverPublic = b.x25519PublicKey(serverSecret);
const otherServerSecret = seeded(b, 'server B', 32);
const aliceSeed = seeded(b, 'client alice', 32);
const alicePublic = b.ed25519PublicKey(aliceSeed);
const mallorySeed = seeded(b, 'client mallory', 32);

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
    timestampMs: NOW - 59_000,
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
  return {
    name: v.name,
    serverSecretKey: hex(serverSecret),
    serverPublicKey: hex(serverPublic),
    clientSecretKey: hex(aliceSeed),
    clientPublicKey: hex(alicePublic),
    keyId: hex(computeKeyId(b, alicePublic)),
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

// A base datagram to mutate into invalid ones.
const base = unhexDatagram(validOut[0]!.datagram);
const big = unhexDatagram(validOut[1]!.datagram);
const basePlain = unsealDatagram(b, serverSecret, base);
const baseBody = decodeBody(basePlain.subarray(SIGNATURE_SIZE))!;
const reseal = (plain: Uint8Array, tag: string): Uint8Array =>
  sealPlaintext(b, serverPublic, plain, seeded(b, tag, 32));
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

const identityKey = new Uint8Array(32);
identityKey[0] = 1; // the neutral point: (R = identity, S = 0) verifies every message under it
const forgedSig = new Uint8Array(64);
forgedSig[0] = 1;

// Torsion (§1, §5): a signature whose R carries a small-order component verifies under the cofactored
// equation only; a key A + T is refused at load, even when one of its signatures verifies under both.
const torsionedR = (): Uint8Array => {
  const body = encodeBody(baseBody.knock);
  return buildPlaintext(signWithTorsion(aliceSeed, signedMessage(body), { rTorsion: 1 }), body);
};
const aliceTorsioned = torsionedKey(aliceSeed, 1);
const torsionedKeyKnock = (kMod8: (k: number) => boolean): Uint8Array => {
  const body = encodeBody({ ...baseBody.knock, keyId: computeKeyId(b, aliceTorsioned) });
  const message = signedMessage(body);
  for (let nonce = 0; nonce < 256; nonce++) {
    const sig = signWithTorsion(aliceSeed, message, { publicKey: aliceTorsioned, nonce });
    if (kMod8(challengeMod8(sig, aliceTorsioned, message))) return buildPlaintext(sig, body);
  }
  throw new Error('no nonce gave the wanted k mod 8');
};

const flip = (d: Uint8Array, at: number, bit = 1): Uint8Array => {
  const out = d.slice();
  out[at]! ^= bit;
  return out;
};
const plainWith = (edit: (pt: Uint8Array) => void): Uint8Array => {
  const pt = basePlain.slice();
  edit(pt);
  return pt;
};
const smallOrderEphemeral = (): Uint8Array => {
  const d = base.slice();
  d.fill(0, 4, HEADER_SIZE); // E = 0, a small-order point: the shared secret is all zero
  return withMac(b, serverPublic, d);
};

const knownClients = [hex(alicePublic)];
const invalid: {
  name: string;
  description: string;
  datagram: Uint8Array;
  clients?: string[];
  expect: string;
  nowMs?: number;
}[] = [
  { name: 'empty', description: 'zero bytes', datagram: new Uint8Array(0), expect: 'too-short' },
  {
    name: 'truncated',
    description: 'a valid datagram less its last 32 bytes',
    datagram: base.subarray(0, base.length - 32),
    expect: 'too-short',
  },
  {
    name: 'truncated-one-byte',
    description: 'a valid 260-byte datagram less its last byte',
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
    name: 'bad-version',
    description: 'version byte 2',
    datagram: withMac(b, serverPublic, flip(base, 0, 3)),
    expect: 'bad-version',
  },
  {
    name: 'reserved-set',
    description: 'a reserved header byte set (mac recomputed)',
    datagram: withMac(b, serverPublic, flip(base, 2)),
    expect: 'bad-version',
  },
  {
    name: 'tampered-ciphertext',
    description: 'one ciphertext bit flipped',
    datagram: flip(base, 100),
    expect: 'bad-mac',
  },
  {
    name: 'tampered-mac',
    description: 'one mac1 bit flipped',
    datagram: flip(base, base.length - 1, 0x80),
    expect: 'bad-mac',
  },
  {
    name: 'wrong-server-mac',
    description: 'a valid datagram for server B',
    datagram: encodeFor(otherServerSecret),
    expect: 'bad-mac',
  },
  {
    name: 'tampered-ciphertext-remac',
    description: 'ciphertext flipped, mac1 recomputed by someone who knows the server key',
    datagram: withMac(b, serverPublic, flip(base, 100)),
    expect: 'decrypt-failed',
  },
  {
    name: 'small-order-ephemeral',
    description: 'E is a small-order point (all-zero shared secret)',
    datagram: smallOrderEphemeral(),
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
    name: 'body-version',
    description: 'signed version 2 inside a version 1 datagram',
    datagram: reseal(
      plainWith((pt) => {
        pt[SIGNATURE_SIZE] = 2;
      }),
      'e5',
    ),
    expect: 'bad-version',
  },
  {
    name: 'wrong-server',
    description: 'signed for server B, re-sealed to server A by B (who can read it)',
    datagram: reseal(
      resign({ ...baseBody.knock, serverKey: b.x25519PublicKey(otherServerSecret) }, aliceSeed),
      'e6',
    ),
    expect: 'wrong-server',
  },
  {
    name: 'unknown-client',
    description: 'a valid datagram from a key the server does not know',
    datagram: base,
    clients: [],
    expect: 'unknown-client',
  },
  {
    name: 'small-order-key',
    description: 'key id of the identity point, signature (R = identity, S = 0) that verifies under it',
    datagram: reseal(
      buildPlaintext(forgedSig, encodeBody({ ...baseBody.knock, keyId: computeKeyId(b, identityKey) })),
      'e7',
    ),
    clients: [hex(identityKey)],
    expect: 'weak-key',
  },
  {
    name: 'torsioned-key',
    description:
      "key A + T (T of order 8), signed by A's holder with k ≡ 0 mod 8: verifies under both equations, refused for the key",
    datagram: reseal(
      torsionedKeyKnock((k) => k === 0),
      'e11',
    ),
    clients: [hex(aliceTorsioned)],
    expect: 'weak-key',
  },
  {
    name: 'torsioned-key-cofactored-only',
    description: 'key A + T, k ≢ 0 mod 8: verifies under the cofactored equation only',
    datagram: reseal(
      torsionedKeyKnock((k) => k !== 0),
      'e12',
    ),
    clients: [hex(aliceTorsioned)],
    expect: 'weak-key',
  },
  {
    name: 'stale-old',
    description: 'timestamp 61 s before now',
    datagram: base,
    nowMs: NOW + 61_000,
    expect: 'stale',
  },
  {
    name: 'stale-future',
    description: 'timestamp 61 s after now',
    datagram: base,
    nowMs: NOW - 61_000,
    expect: 'stale',
  },
  {
    name: 'stale-near-future',
    description: 'timestamp 5.001 s after now: inside the past window, beyond the future one',
    datagram: base,
    nowMs: NOW - FUTURE_WINDOW - 1,
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

function encodeFor(secret: Uint8Array): Uint8Array {
  return encodeDatagram({
    backend: b,
    serverPublicKey: b.x25519PublicKey(secret),
    clientSecretKey: aliceSeed,
    request: valid[0]!.request,
    now: () => NOW,
    random: replayRandom(seeded(b, 'n', 16), seeded(b, 'e', 32)),
  }).datagram;
}

function unhexDatagram(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

const invalidOut = invalid.map((v) => ({
  name: v.name,
  description: v.description,
  serverSecretKey: hex(serverSecret),
  clients: v.clients ?? knownClients,
  nowMs: v.nowMs ?? NOW,
  windowMs: WINDOW,
  futureWindowMs: FUTURE_WINDOW,
  datagram: hex(v.datagram),
  expect: v.expect,
}));

const dir = fileURLToPath(new URL('.', import.meta.url));
const header =
  'SPA wire format v1 known-answer vectors (docs/protocol.md). Hex strings; generated by generate.ts.';
writeFileSync(`${dir}valid.json`, `${JSON.stringify({ description: header, vectors: validOut }, null, 2)}\n`);
writeFileSync(
  `${dir}invalid.json`,
  `${JSON.stringify({ description: header, vectors: invalidOut }, null, 2)}\n`,
);
console.log(`wrote ${validOut.length} valid and ${invalidOut.length} invalid vectors`);
