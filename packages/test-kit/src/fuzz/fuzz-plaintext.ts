/** Fuzz plaintexts for the deep parser: a client's signed body with one field broken, never one the server could grant. @module */
import {
  type AccessItem,
  addressFromBytes,
  type CryptoBackend,
  isGrantable,
  MAX_DATAGRAM_SIZE,
  MIN_DATAGRAM_SIZE,
  OVERHEAD,
  PAD_BLOCK,
  PROTOCOL_VERSION,
  SIGNATURE_SIZE,
  type SignedKnock,
} from 'spa-protocol';
import { BODY_FIXED_SIZE, BODY_OFFSET, encodeBody } from 'spa-protocol/wire';
import { buildPlaintext, signBody } from '../forge/forge.js';
import type { SeededRandom } from './seeded-random.js';

/** What a mutation may use: the legit client's identity (public), an attacker's key, the server's public key. */
export interface PlaintextContext {
  readonly backend: CryptoBackend;
  readonly rnd: SeededRandom;
  readonly serverPublicKey: Uint8Array;
  /** The configured client's key id: what its own knocks carry, and what the tag's client must match. */
  readonly clientKeyId: Uint8Array;
  /** The configured client's seed: signs the base body only, never a mutated one. */
  readonly clientSecretKey: Uint8Array;
  /** A key the server does not know. */
  readonly attackerSecretKey: Uint8Array;
  readonly nowMs: number;
}

/** Smallest plaintext of a datagram that is not too short: MIN_DATAGRAM_SIZE − OVERHEAD = 160. */
const MIN_PLAINTEXT: number = MIN_DATAGRAM_SIZE - OVERHEAD;

/** Largest plaintext that still fits MAX_DATAGRAM_SIZE (1200 − 100, rounded down to a block: 1088). */
export const MAX_PLAINTEXT: number = Math.floor((MAX_DATAGRAM_SIZE - OVERHEAD) / PAD_BLOCK) * PAD_BLOCK;

const ACCESS: readonly AccessItem[] = [
  { type: 'service', name: 'ssh' },
  { type: 'service', name: 'web' },
  { type: 'tcp', port: 2222 },
  { type: 'udp', port: 53 },
  { type: 'tcp', port: 1 },
];

/** A structurally valid request body with random choices, for `keyId`, signed by `seed`. */
export function randomBody(ctx: PlaintextContext, keyId: Uint8Array): Uint8Array {
  const { rnd } = ctx;
  const access = ACCESS.filter(() => rnd.chance(0.4));
  const addresses: string[] = [];
  for (let i = rnd.int(4); i > 0; i--) {
    const addr = addressFromBytes(rnd.bytes(rnd.chance(0.5) ? 4 : 16));
    if (addr && isGrantable(addr) && !addresses.includes(addr.text)) addresses.push(addr.text);
  }
  const kind = rnd.chance(0.8) ? 'open' : 'close';
  const knock: SignedKnock = {
    version: PROTOCOL_VERSION,
    serverKey: ctx.serverPublicKey,
    keyId,
    timestampMs: ctx.nowMs,
    nonce: rnd.bytes(16),
    kind,
    durationSeconds: kind === 'open' ? rnd.int(4000) : 0,
    access: access.length > 0 ? access : [ACCESS[0]!],
    addresses,
  };
  return encodeBody(knock);
}

const U64_MAX = new Uint8Array(8).fill(0xff);
const be64 = (n: number): Uint8Array => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
};

/** One field of the body set to a value a parser must survive: [offset, bytes]. */
function fieldMutation(ctx: PlaintextContext, body: Uint8Array): [number, Uint8Array] {
  const { rnd } = ctx;
  const O = BODY_OFFSET;
  const tail = body.length - BODY_FIXED_SIZE;
  const choices: (() => [number, Uint8Array])[] = [
    () => [O.version, Uint8Array.of(rnd.pick([0, 2, 0x81, 0xff]))],
    () => [O.server + rnd.int(32), Uint8Array.of(rnd.between(0, 255))],
    () => [O.server, rnd.bytes(32)],
    () => [O.keyId + rnd.int(16), Uint8Array.of(rnd.between(0, 255))],
    () => [
      O.timestamp,
      rnd.pick([
        U64_MAX,
        be64(0),
        be64(2 ** 53),
        be64(ctx.nowMs - 7_200_000),
        be64(ctx.nowMs + 7_200_000),
        rnd.bytes(8),
      ]),
    ],
    () => [O.nonce, rnd.bytes(16)],
    () => [O.kind, Uint8Array.of(rnd.pick([0, 2, 3, 0xff]))],
    () => [O.duration, rnd.pick([Uint8Array.of(0xff, 0xff, 0xff, 0xff), new Uint8Array(4), rnd.bytes(4)])],
    () => [O.accessCount, Uint8Array.of(rnd.pick([0, 17, 0xff, body[O.accessCount]! + 1]))],
    // The variable part: access types, name lengths, ports, address counts and families.
    () => [
      BODY_FIXED_SIZE + rnd.int(Math.max(1, tail)),
      Uint8Array.of(rnd.pick([0, 1, 2, 3, 4, 6, 9, 33, 0x2f, 0x41, 0xff])),
    ],
    () => [body.length - 1, Uint8Array.of(rnd.pick([9, 0xff]))],
  ];
  return rnd.pick(choices)();
}

/**
 * A well-formed, fresh request for the configured client, signed with a key the server does not know.
 * Sealed with that client's tag and mac2 (which an outsider cannot make), it passes every check up to
 * the signature: the deepest path a datagram can take and still be refused.
 */
export function forgedPlaintext(ctx: PlaintextContext): Uint8Array {
  const body = randomBody(ctx, ctx.clientKeyId);
  return buildPlaintext(signBody(ctx.backend, ctx.attackerSecretKey, body), body);
}

/** Pads `signature || body` to a block, like a real client. */
const padded = (signature: Uint8Array, body: Uint8Array): Uint8Array => buildPlaintext(signature, body);

/**
 * A plaintext the parser must refuse: the base body signed by the legit client with exactly one
 * thing broken afterwards (a field, the signature, the padding, the length), or a body signed by a
 * key the server does not hold. Never the untouched base: that one would be granted.
 */
export function mutatedPlaintext(ctx: PlaintextContext): Uint8Array {
  const { rnd, backend } = ctx;
  const body = randomBody(ctx, ctx.clientKeyId);
  const signature = signBody(backend, ctx.clientSecretKey, body);
  const base = padded(signature, body);
  let out: Uint8Array;
  switch (rnd.int(9)) {
    case 0:
    case 1: {
      const [at, value] = fieldMutation(ctx, body);
      const b = body.slice();
      b.set(value.subarray(0, Math.max(0, b.length - at)), at);
      out = padded(signature, b);
      break;
    }
    case 2: {
      // Signature: random, non-canonical S (≥ L), all zero, or one bit off.
      const s = signature.slice();
      const how = rnd.int(4);
      if (how === 0) s.set(rnd.bytes(64));
      else if (how === 1) s[63] = 0xff;
      else if (how === 2) s.fill(0);
      else s[rnd.int(64)]! ^= 1 << rnd.int(8);
      out = padded(s, body);
      break;
    }
    case 3: {
      // Padding that is not all zero, or one block longer than needed.
      const p = base.slice();
      const padStart = SIGNATURE_SIZE + body.length;
      if (padStart < p.length && rnd.chance(0.5)) {
        p[padStart + rnd.int(p.length - padStart)] = rnd.between(1, 255);
        out = p;
      } else {
        out = new Uint8Array(base.length + PAD_BLOCK);
        out.set(base);
      }
      break;
    }
    case 4:
      // The body cut short, or with bytes after its end, then padded again.
      out = rnd.chance(0.5)
        ? padded(signature, body.subarray(0, rnd.int(body.length)))
        : padded(signature, Uint8Array.from([...body, ...rnd.bytes(rnd.between(1, 200))]));
      break;
    case 5:
      out = forgedPlaintext(ctx);
      break;
    case 6: {
      const stranger = randomBody(ctx, rnd.bytes(16));
      out = padded(signBody(backend, ctx.attackerSecretKey, stranger), stranger);
      break;
    }
    case 7:
      out = rnd.bytes(PAD_BLOCK * rnd.between(5, MAX_PLAINTEXT / PAD_BLOCK));
      break;
    default: {
      // A random byte anywhere in the signed part.
      const p = base.slice();
      p[rnd.int(SIGNATURE_SIZE + body.length)]! ^= rnd.between(1, 255);
      out = p;
    }
  }
  if (out.length > MAX_PLAINTEXT) out = out.subarray(0, MAX_PLAINTEXT);
  // Shorter, the datagram would be refused as too short, long before the parser it is meant for.
  if (out.length < MIN_PLAINTEXT) out = Uint8Array.from({ length: MIN_PLAINTEXT }, (_, i) => out[i] ?? 0);
  // A mutation that happened to change nothing would be the legit knock itself.
  if (sameBytes(out, base)) out[0]! ^= 1;
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
