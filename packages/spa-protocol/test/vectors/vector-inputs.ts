/** The seeded keys, clock and valid knocks every vector starts from, and the base datagrams the invalid ones are made of. @module */
import { hex, replayRandom, seeded, senderSecrets, unhex, unsealDatagram } from 'spa-test-kit/forge/forge';
import { decodeBody } from '../../src/body.js';
import { computeClientTag, epochOf } from '../../src/client-keys.js';
import { EPOCH_MS, HEADER_SIZE, SIGNATURE_SIZE } from '../../src/constants.js';
import { nobleBackend as b } from '../../src/crypto/noble.js';
import { computeKeyId } from '../../src/keys.js';
import { ed25519PublicToX25519 } from '../../src/montgomery.js';
import { encodeDatagram } from '../../src/packet.js';
import type { KnockRequest } from '../../src/request.js';

export const NOW = 1_767_225_600_000; // 2026-01-01T00:00:00Z, the first millisecond of an epoch
export const WINDOW = 60_000;
export const FUTURE_WINDOW = 5000;
export const E = epochOf(NOW);
export const serverSecret = seeded(b, 'server A', 32);
export const serverPublic = b.x25519PublicKey(serverSecret);
const otherServerSecret = seeded(b, 'server B', 32);
export const otherServerPublic = b.x25519PublicKey(otherServerSecret);
export const aliceSeed = seeded(b, 'client alice', 32);
export const alicePublic = b.ed25519PublicKey(aliceSeed);
const bobSeed = seeded(b, 'client bob', 32);
export const bobPublic = b.ed25519PublicKey(bobSeed);
export const mallorySeed = seeded(b, 'client mallory', 32);
export const alice = senderSecrets(b, aliceSeed, serverPublic);
export const bob = senderSecrets(b, bobSeed, serverPublic);

interface Valid {
  name: string;
  request: KnockRequest;
  timestampMs: number;
  /** The receiver's clock; NOW unless set. */
  nowMs?: number;
}

export const valid: Valid[] = [
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

export const validOut = valid.map((v, i) => {
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
export const base = unhex(validOut[0]!.datagram);
export const big = unhex(validOut[1]!.datagram);
export const nearFuture = unhex(validOut[2]!.datagram);
export const basePlain = unsealDatagram(b, serverSecret, base);
export const baseBody = decodeBody(basePlain.subarray(SIGNATURE_SIZE))!;

if (HEADER_SIZE !== 68 || base.length !== 260) throw new Error('the base datagram is not the smallest');

export const knownClients = [hex(alicePublic), hex(bobPublic)];
export const aliceKeyId = hex(computeKeyId(b, alicePublic));
export const baseNonce = hex(baseBody.knock.nonce);

export interface Invalid {
  name: string;
  description: string;
  datagram: Uint8Array;
  clients?: string[];
  nowMs?: number;
  /** (key id, nonce) pairs the receiver's replay memory already holds. */
  replayMemory?: { keyId: string; nonce: string }[];
  expect: string;
}

/** The first valid knock, sealed to `server`. */
export function encodeFor(server: Uint8Array): Uint8Array {
  return encodeDatagram({
    backend: b,
    serverPublicKey: server,
    clientSecretKey: aliceSeed,
    request: valid[0]!.request,
    now: () => NOW,
    random: replayRandom(seeded(b, 'n', 16), seeded(b, 'e', 32)),
  }).datagram;
}
