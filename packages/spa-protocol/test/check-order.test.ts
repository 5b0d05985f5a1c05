/** §7 1–17 in order: what each check costs, which hook it asks, and that an earlier refusal always wins over a later one. */
import { randomBytes } from 'node:crypto';
import { nodeBackend } from 'spa-node';
import {
  buildPlaintext,
  type HeaderFields,
  sealPlaintext,
  senderSecrets,
  signBody,
  unsealDatagram,
  withMac,
} from 'spa-test-kit/forge/forge';
import { describe, expect, it } from 'vitest';
import { authenticateDatagram } from '../src/authenticate.js';
import { decodeBody, encodeBody } from '../src/body.js';
import { epochOf } from '../src/client-keys.js';
import { ClientTable } from '../src/client-table.js';
import {
  BODY_OFFSET,
  CLIENT_TAG_OFFSET,
  DEFAULT_FUTURE_WINDOW_MS,
  EPOCH_MS,
  HEADER_NONCE_OFFSET,
  NONCE_SIZE,
  SIGNATURE_SIZE,
} from '../src/constants.js';
import type { CryptoBackend } from '../src/crypto/backend.js';
import { decodeDatagram } from '../src/decode.js';
import { computeKeyId, generateKeyPair } from '../src/keys.js';
import { encodeDatagram, precheckDatagram } from '../src/packet.js';
import type { RefusalReason } from '../src/refusal.js';
import type { SignedKnock } from '../src/request.js';
import { createServerContext } from '../src/server-context.js';

const NOW = 1_800_000_030_000; // mid-epoch: the window touches this epoch and the one before
const E = epochOf(NOW);
const WINDOW = 60_000;

const server = generateKeyPair(nodeBackend, 'server');
const otherServer = generateKeyPair(nodeBackend, 'server');
const aliceKeys = generateKeyPair(nodeBackend, 'client');
const bobKeys = generateKeyPair(nodeBackend, 'client');
const mallory = generateKeyPair(nodeBackend, 'client');
interface Client {
  readonly name: string;
  readonly publicKey: Uint8Array;
}
const alice: Client = { name: 'alice', publicKey: aliceKeys.publicKey };
const bob: Client = { name: 'bob', publicKey: bobKeys.publicKey };
const aliceSecrets = senderSecrets(nodeBackend, aliceKeys.secretKey, server.publicKey);
const bobSecrets = senderSecrets(nodeBackend, bobKeys.secretKey, server.publicKey);

const knockAt = (timestampMs: number): Uint8Array =>
  encodeDatagram({
    backend: nodeBackend,
    serverPublicKey: server.publicKey,
    clientSecretKey: aliceKeys.secretKey,
    request: { kind: 'open', access: [{ type: 'tcp', port: 22 }], addresses: [], durationSeconds: 30 },
    now: () => timestampMs,
  }).datagram;
const valid = knockAt(NOW);
const validKnock = decodeBody(
  unsealDatagram(nodeBackend, server.secretKey, valid).subarray(SIGNATURE_SIZE),
)!.knock;

/**
 * A datagram with alice's tag and mac2, so it passes §7 1–7, whose body is the valid one with `edit`
 * applied, signed by `signer`; `fields` pin header fields (by default a real client's).
 */
function forge(
  edit: Partial<SignedKnock>,
  o: { signer?: Uint8Array; fields?: HeaderFields; bytes?: (body: Uint8Array) => void } = {},
): Uint8Array {
  const body = encodeBody({ ...validKnock, nonce: randomBytes(NONCE_SIZE), ...edit });
  o.bytes?.(body); // what encodeBody would refuse to write
  const plaintext = buildPlaintext(signBody(nodeBackend, o.signer ?? aliceKeys.secretKey, body), body);
  return sealPlaintext(nodeBackend, server.publicKey, plaintext, randomBytes(32), aliceSecrets, o.fields);
}
const flip = (d: Uint8Array, at: number): Uint8Array => {
  const out = d.slice();
  out[at]! ^= 1;
  return out;
};

interface Hooks {
  seen?: (client: Client, nonce: Uint8Array) => RefusalReason | undefined;
  replay?: (knock: SignedKnock) => RefusalReason | undefined;
}

/** A receiver on a backend that counts the work done, with hooks that record what they were asked. */
function receiver(hooks: Hooks = {}) {
  const n = { x25519: 0, hmac: 0, verify: 0 };
  const counted =
    <A extends unknown[], R>(what: keyof typeof n, f: (...args: A) => R) =>
    (...args: A): R => {
      n[what]++;
      return f(...args);
    };
  const backend: CryptoBackend = {
    ...nodeBackend,
    x25519: counted('x25519', nodeBackend.x25519),
    hmacSha256: counted('hmac', nodeBackend.hmacSha256),
    hmacSha256Keyed: (key) => counted('hmac', nodeBackend.hmacSha256Keyed(key)),
    ed25519Verify: counted('verify', nodeBackend.ed25519Verify),
  };
  const ctx = createServerContext(backend, server.secretKey);
  const table = new ClientTable(ctx, [alice, bob]);
  table.advance(NOW, WINDOW, DEFAULT_FUTURE_WINDOW_MS);
  Object.assign(n, { x25519: 0, hmac: 0, verify: 0 }); // the table's own work is done once, not per datagram
  const asked = { seen: [] as [Client, Uint8Array][], replay: [] as SignedKnock[] };
  const seen = (client: Client, nonce: Uint8Array) => {
    asked.seen.push([client, nonce.slice()]);
    return hooks.seen?.(client, nonce);
  };
  const options = {
    nowMs: NOW,
    windowMs: WINDOW,
    replay: (knock: SignedKnock) => {
      asked.replay.push(knock);
      return hooks.replay?.(knock);
    },
  };
  /** The server's two steps apart; decodeDatagram (all in one) must agree, without being counted. */
  const run = (datagram: Uint8Array) => {
    const early = precheckDatagram(table, datagram, seen);
    const result = early.ok ? authenticateDatagram(ctx, datagram, early.value, options) : early;
    const before = { ...n, seen: asked.seen.length, replay: asked.replay.length };
    const whole = decodeDatagram(ctx, table, datagram, { ...options, seen: hooks.seen ?? (() => undefined) });
    expect(whole.ok ? 'ok' : whole.reason).toBe(result.ok ? 'ok' : result.reason);
    Object.assign(n, { x25519: before.x25519, hmac: before.hmac, verify: before.verify });
    asked.seen.length = before.seen;
    asked.replay.length = before.replay;
    return result;
  };
  return { run, n, asked };
}
const refused = (reason: RefusalReason) => ({ ok: false, reason });

describe('§7 1–4: length and version, before the tag', () => {
  it.each([
    ['too-short', valid.subarray(0, 259), 'too-short'],
    [
      'too-long, and not a whole number of blocks',
      new Uint8Array([...valid, ...new Uint8Array(942)]),
      'too-long',
    ],
    [
      'bad length, and a bad version',
      withMac(nodeBackend, aliceSecrets, new Uint8Array([1, ...valid])),
      'bad-length',
    ],
    [
      'bad version, with a valid tag and mac2',
      withMac(
        nodeBackend,
        aliceSecrets,
        Uint8Array.from(valid, (v, i) => (i === 0 ? 1 : v)),
      ),
      'bad-version',
    ],
    [
      'a reserved byte set, with a valid tag and mac2',
      withMac(nodeBackend, aliceSecrets, flip(valid, 3)),
      'bad-version',
    ],
  ] as const)('%s: refused with no HMAC and no hook', (_, datagram, reason) => {
    const { run, n, asked } = receiver({ seen: () => 'replay' });
    expect(run(datagram)).toEqual(refused(reason));
    expect(n).toEqual({ x25519: 0, hmac: 0, verify: 0 });
    expect(asked.seen).toEqual([]);
  });
});

describe('§7 5–6: the client tag, then mac2', () => {
  it('refuses an unknown tag at the cost of a Map miss: no HMAC, no X25519, no hook', () => {
    const { run, n, asked } = receiver({ seen: () => 'replay' });
    expect(run(flip(valid, CLIENT_TAG_OFFSET + 7))).toEqual(refused('unknown-client'));
    expect(n).toEqual({ x25519: 0, hmac: 0, verify: 0 });
    expect(asked.seen).toEqual([]);
  });

  it('refuses a known tag with a bad mac2 after one HMAC, before any X25519 or hook', () => {
    for (const datagram of [flip(valid, 100), withMac(nodeBackend, bobSecrets, valid)]) {
      const { run, n, asked } = receiver({ seen: () => 'replay' });
      expect(run(datagram)).toEqual(refused('bad-mac'));
      expect(n).toEqual({ x25519: 0, hmac: 1, verify: 0 });
      expect(asked.seen).toEqual([]);
    }
  });
});

describe('§7 7: the replay pre-check', () => {
  it("asks with the tag's client and the header nonce, and refuses before unsealing, naming the client", () => {
    // The ciphertext is broken too (with a valid mac2): 7 comes before 8.
    for (const datagram of [valid, withMac(nodeBackend, aliceSecrets, flip(valid, 100))]) {
      const { run, n, asked } = receiver({ seen: () => 'replay' });
      expect(run(datagram)).toEqual({ ok: false, reason: 'replay', client: alice });
      expect(n.x25519).toBe(0);
      expect(asked.seen).toEqual([
        [alice, valid.subarray(HEADER_NONCE_OFFSET, HEADER_NONCE_OFFSET + NONCE_SIZE)],
      ]);
      expect(asked.replay).toEqual([]);
    }
  });
});

describe('§7 8–13: unsealing and the body, before the window, the replay hook and the signature', () => {
  const B = otherServer.publicKey;
  const bobId = computeKeyId(nodeBackend, bob.publicKey);
  const otherNonce = { fields: { nonce: randomBytes(NONCE_SIZE) } };
  // Every case is also signed by mallory and, where it can be, stale: only the first failure counts.
  const byMallory = { signer: mallory.secretKey };
  const old = NOW - 10 * EPOCH_MS;
  it.each([
    [
      'decrypt-failed: ciphertext changed, mac2 recomputed',
      withMac(nodeBackend, aliceSecrets, flip(valid, 100)),
      'decrypt-failed',
    ],
    [
      'malformed: header nonce ≠ body nonce, and for server B',
      forge({ serverKey: B }, { ...byMallory, ...otherNonce }),
      'malformed',
    ],
    [
      'malformed: request kind 3',
      forge({}, { ...byMallory, bytes: (b) => b.set([3], BODY_OFFSET.kind) }),
      'malformed',
    ],
    [
      'bad-version: body version 1, and for server B',
      forge({ version: 1, serverKey: B }, byMallory),
      'bad-version',
    ],
    ['wrong-server, and for bob', forge({ serverKey: B, keyId: bobId }, byMallory), 'wrong-server'],
    [
      'wrong-client: bob’s key id under alice’s tag, and of another epoch',
      forge({ keyId: bobId, timestampMs: old }, { ...byMallory, fields: { epoch: E } }),
      'wrong-client',
    ],
    [
      'wrong-epoch: a timestamp of e − 10 under the tag of e, and stale',
      forge({ timestampMs: old }, { ...byMallory, fields: { epoch: E } }),
      'wrong-epoch',
    ],
    [
      'wrong-epoch: a timestamp of e − 1 under the tag of e, in the window',
      forge({ timestampMs: NOW - EPOCH_MS }, { ...byMallory, fields: { epoch: E } }),
      'wrong-epoch',
    ],
  ] as const)('%s', (_, datagram, reason) => {
    const { run, n, asked } = receiver({ replay: () => 'replay' });
    expect(run(datagram)).toEqual(refused(reason));
    expect(n.x25519).toBe(1); // one unsealing, whatever failed after it
    expect(n.verify).toBe(0);
    expect(asked.seen).toHaveLength(1);
    expect(asked.replay).toEqual([]);
  });
});

describe('§7 14–17: the window, the replay hook, the signature', () => {
  it('refuses a stale knock (14) without asking the replay hook (15)', () => {
    const { run, n, asked } = receiver({ replay: () => 'replay' });
    // 60.001 s old: in the previous epoch, whose tag the table still holds.
    expect(run(knockAt(NOW - WINDOW - 1))).toEqual(refused('stale'));
    expect(asked.replay).toEqual([]);
    expect(n.verify).toBe(0);
  });

  it('the replay hook gets the opened knock and catches a copy the pre-check let through, unverified', () => {
    for (const verdict of ['replay', 'stale'] as const) {
      const { run, n, asked } = receiver({ seen: () => undefined, replay: () => verdict });
      expect(run(valid)).toEqual(refused(verdict));
      expect(asked.seen).toHaveLength(1);
      expect(asked.replay).toHaveLength(1);
      expect(asked.replay[0]).toMatchObject({
        timestampMs: NOW,
        nonce: validKnock.nonce,
        keyId: validKnock.keyId,
      });
      expect(n.verify).toBe(0);
    }
  });

  it('checks the signature last: one verification, after both hooks', () => {
    const { run, n, asked } = receiver();
    expect(run(forge({}, { signer: mallory.secretKey }))).toEqual(refused('bad-signature'));
    expect(n).toMatchObject({ x25519: 1, verify: 1 });
    expect([asked.seen.length, asked.replay.length]).toEqual([1, 1]);
  });

  it('refuses a non-canonical S (16) without a verification (17)', () => {
    const body = encodeBody({ ...validKnock, nonce: randomBytes(NONCE_SIZE) });
    const signature = signBody(nodeBackend, aliceKeys.secretKey, body);
    signature[63] = 0xff; // S ≥ L
    const datagram = sealPlaintext(
      nodeBackend,
      server.publicKey,
      buildPlaintext(signature, body),
      randomBytes(32),
      aliceSecrets,
    );
    const { run, n } = receiver();
    expect(run(datagram)).toEqual(refused('bad-signature'));
    expect(n.verify).toBe(0);
  });

  it('accepts a fresh knock with one HMAC before unsealing, one X25519, one verification, each hook once', () => {
    const { run, n, asked } = receiver();
    const result = run(valid);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.client).toBe(alice);
    expect(n).toMatchObject({ x25519: 1, verify: 1 });
    expect(n.hmac).toBeGreaterThanOrEqual(1);
    expect([asked.seen.length, asked.replay.length]).toEqual([1, 1]);
  });
});
