/** Hostile datagrams for a live server: junk, cut and grown knocks, bit flips, bad headers, and deep-parser forgeries. @module */

import { nodeBackend } from 'spa-node';
import {
  computeKeyId,
  encodeDatagram,
  epochOf,
  generateKeyPair,
  HEADER_SIZE,
  MAC2_SIZE,
  NONCE_SIZE,
  OVERHEAD,
  PAD_BLOCK,
  PROTOCOL_VERSION,
} from 'spa-protocol';
import { CLIENT_TAG_OFFSET, CLIENT_TAG_SIZE, EPHEMERAL_OFFSET, HEADER_NONCE_OFFSET } from 'spa-protocol/wire';
import { fastBackend } from '../build/fast-backend.js';
import { type HeaderFields, sealPlaintext, senderSecrets, withMac, withTag } from '../forge/forge.js';
import { X25519_SMALL_ORDER_POINTS } from '../forge/x25519-small-order.js';
import { forgedPlaintext, mutatedPlaintext, type PlaintextContext } from './fuzz-plaintext.js';
import { createRandom, type SeededRandom } from './seeded-random.js';

export const FUZZ_CATEGORIES = [
  'random',
  'empty',
  'oversized',
  'truncated',
  'extended',
  'bit-flip',
  'header',
  'deep',
  'forged',
] as const;
export type FuzzCategory = (typeof FUZZ_CATEGORIES)[number];

/**
 * Share of each category in a corpus. `deep` and `forged` carry the configured client's tag and mac2,
 * so each costs the server a key exchange; so do the re-MACed cuts, grows and flips that keep a
 * valid length. Everything else dies at the length, version, tag or mac2 checks (§7 1–6).
 */
export type FuzzWeights = Readonly<Record<FuzzCategory, number>>;

export const DEFAULT_WEIGHTS: FuzzWeights = {
  random: 0.16,
  empty: 0.01,
  oversized: 0.01,
  truncated: 0.14,
  extended: 0.1,
  'bit-flip': 0.14,
  header: 0.1,
  deep: 0.3,
  forged: 0.04,
};

/** Largest UDP payload over IPv4. */
const MAX_UDP_PAYLOAD = 65_507;

export interface FuzzTarget {
  readonly serverPublicKey: Uint8Array;
  /** The configured client: its knocks are the raw material; none is ever sent intact. */
  readonly clientSecretKey: Uint8Array;
  readonly clientPublicKey: Uint8Array;
}

export interface FuzzDatagram {
  readonly category: FuzzCategory;
  readonly data: Uint8Array;
}

export interface Fuzzer {
  readonly seed: number;
  next(): FuzzDatagram;
}

/**
 * A deterministic stream for one seed (keys aside). Timestamps are `nowMs` and the forgeries carry
 * the client tag of its epoch and a mac2 under the configured client's key, so they pass §7 1–7 and
 * exercise the unsealing, the parser, the time window, the replay store and the signature check.
 */
export function createFuzzer(
  target: FuzzTarget,
  options: { seed: number; nowMs: number; weights?: Partial<FuzzWeights> },
): Fuzzer {
  const weights = { ...(options.weights ? zeroWeights() : DEFAULT_WEIGHTS), ...options.weights };
  const rnd = createRandom(options.seed);
  const backend = fastBackend(nodeBackend);
  // A pool of ephemeral secrets, reused: node:crypto caches a key object per secret array, and a fresh
  // one per datagram would make key import (not the server) the bottleneck. The server cannot tell.
  const ephemerals = Array.from({ length: 256 }, () => rnd.bytes(32));
  const ctx: PlaintextContext = {
    backend,
    rnd,
    serverPublicKey: target.serverPublicKey,
    clientKeyId: computeKeyId(backend, target.clientPublicKey),
    clientSecretKey: target.clientSecretKey,
    attackerSecretKey: generateKeyPair(backend, 'client', (n) => rnd.bytes(n)).secretKey,
    nowMs: options.nowMs,
  };
  // What only the configured client (and the server) can make: its tags and mac2. The fuzzer holds them
  // so that its forgeries get past the cheap checks; a real attacker's die there.
  const sender = senderSecrets(
    backend,
    target.clientSecretKey,
    target.serverPublicKey,
    target.clientPublicKey,
  );
  const epoch = epochOf(options.nowMs);
  let base = validKnock(target, rnd, options.nowMs);
  let produced = 0;
  let truncations = 0;
  // The tag of now's epoch, and the body's nonce in the header unless `fields` pins another.
  const seal = (plaintext: Uint8Array, fields: HeaderFields = {}): Uint8Array =>
    sealPlaintext(backend, target.serverPublicKey, plaintext, rnd.pick(ephemerals), sender, {
      epoch,
      ...fields,
    });
  const remac = (d: Uint8Array): Uint8Array => (d.length >= MAC2_SIZE ? withMac(backend, sender, d) : d);

  const make: Record<FuzzCategory, () => Uint8Array> = {
    random: () => {
      const d = rnd.bytes(rnd.chance(0.5) ? rnd.between(1, 1500) : OVERHEAD + PAD_BLOCK * rnd.between(5, 34));
      if (d.length >= HEADER_SIZE && rnd.chance(0.5)) {
        d.set([PROTOCOL_VERSION, 0, 0, 0]); // passes the version check, dies at the tag...
        if (rnd.chance(0.5)) d.set(base.subarray(CLIENT_TAG_OFFSET, HEADER_SIZE), CLIENT_TAG_OFFSET); // ...or mac2
      }
      return d;
    },
    empty: () => new Uint8Array(0),
    oversized: () => rnd.bytes(rnd.chance(0.9) ? rnd.between(1201, 9000) : MAX_UDP_PAYLOAD),
    // Every length of a valid knock cycles by; half of them carry a valid mac2 over what is left.
    truncated: () => {
      const cut = base.subarray(0, truncations++ % base.length);
      return rnd.chance(0.5) ? remac(cut) : cut.slice();
    },
    extended: () => {
      const grown = Uint8Array.from([...base, ...rnd.bytes(rnd.between(1, 1300 - base.length))]);
      return rnd.chance(0.5) ? remac(grown) : grown;
    },
    'bit-flip': () => {
      const d = base.slice();
      // Distinct bits, so two flips never cancel out; re-MACed flips stay off the mac2 they would restore.
      const mac = rnd.chance(0.5);
      const span = (d.length - (mac ? MAC2_SIZE : 0)) * 8;
      const bits = new Set<number>();
      for (let n = rnd.between(1, 8); n > 0; n--) bits.add(rnd.int(span));
      for (const bit of bits) d[bit >> 3]! ^= 1 << (bit & 7);
      return mac ? remac(d) : d;
    },
    // Each header field broken with a valid mac2: version, reserved bytes, the tag (another epoch's or
    // bytes no client has), the nonce, the ephemeral key. Past the tag, the AAD no longer matches.
    header: () => {
      const d = base.slice();
      const how = rnd.int(7);
      if (how === 0) d[0] = rnd.pick([0, 1, 3, 0xff]);
      else if (how === 1) d[1 + rnd.int(3)] = rnd.between(1, 255);
      else if (how === 2) {
        // Half with a nonce of their own: base's is spent by the first of its copies the server
        // refuses, and a copy of it is a replay before its tag's epoch is looked at. An epoch wholly
        // before the server's start is then refused `stale` on receipt, the one path there to it.
        if (rnd.chance(0.5)) d.set(rnd.bytes(NONCE_SIZE), HEADER_NONCE_OFFSET);
        return withTag(backend, sender, epoch + rnd.pick([-3, -2, -1, 1, 2, 1000]), d);
      } else if (how === 3) d.set(rnd.bytes(CLIENT_TAG_SIZE), CLIENT_TAG_OFFSET);
      else if (how === 4) d.set(rnd.bytes(NONCE_SIZE), HEADER_NONCE_OFFSET);
      else if (how === 5) d.set(rnd.pick(X25519_SMALL_ORDER_POINTS), EPHEMERAL_OFFSET);
      else d.set(rnd.bytes(32), EPHEMERAL_OFFSET);
      return remac(d);
    },
    // Now and then the header's nonce is not the body's: refused as malformed once the body parses.
    deep: () => seal(mutatedPlaintext(ctx), rnd.chance(0.05) ? { nonce: rnd.bytes(NONCE_SIZE) } : {}),
    forged: () => seal(forgedPlaintext(ctx)),
  };

  return {
    seed: options.seed,
    next() {
      // A fresh valid knock now and then, so truncations and flips do not all share one nonce.
      if (++produced % 500 === 0) base = validKnock(target, rnd, options.nowMs);
      const category = pickCategory(rnd, weights);
      const data = make[category]();
      if (data.length >= HEADER_SIZE && sameBytes(data, base))
        throw new Error('fuzzer produced the valid knock');
      return { category, data };
    },
  };
}

function validKnock(target: FuzzTarget, rnd: SeededRandom, nowMs: number): Uint8Array {
  return encodeDatagram({
    backend: nodeBackend,
    serverPublicKey: target.serverPublicKey,
    clientSecretKey: target.clientSecretKey,
    clientPublicKey: target.clientPublicKey,
    // 292 bytes, a block over the smallest: its cuts are too short, of a bad length, and one of 260.
    request: {
      kind: 'open',
      access: [{ type: 'service', name: 'ssh' }],
      addresses: ['192.0.2.1', '2001:db8::1'],
      durationSeconds: 0,
    },
    now: () => nowMs,
    random: (n) => rnd.bytes(n),
  }).datagram;
}

function pickCategory(rnd: SeededRandom, weights: FuzzWeights): FuzzCategory {
  const total = FUZZ_CATEGORIES.reduce((sum, c) => sum + weights[c], 0);
  let x = (rnd.int(1_000_000) / 1_000_000) * total;
  for (const c of FUZZ_CATEGORIES) {
    x -= weights[c];
    if (x < 0) return c;
  }
  return FUZZ_CATEGORIES.findLast((c) => weights[c] > 0) ?? 'random';
}

/** Given weights replace the defaults entirely: `{ forged: 1 }` is a corpus of forgeries only. */
function zeroWeights(): Record<FuzzCategory, number> {
  return Object.fromEntries(FUZZ_CATEGORIES.map((c) => [c, 0])) as Record<FuzzCategory, number>;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
