/** Properties over arbitrary input: round trips, single-bit flips, and bytes that never make decoding throw. */
import fc from 'fast-check';
import { nodeBackend } from 'spa-node';
import { sealPlaintext, senderSecrets, unsealDatagram } from 'spa-test-kit/forge/forge';
import { describe, expect, it } from 'vitest';
import { isGrantable, parseAddress } from '../src/address.js';
import { NO_REPLAY_MEMORY } from '../src/authenticate.js';
import { computeClientTag, epochOf } from '../src/client-keys.js';
import { ClientTable } from '../src/client-table.js';
import {
  CLIENT_TAG_OFFSET,
  DEFAULT_FUTURE_WINDOW_MS,
  HEADER_SIZE,
  MAX_ACCESS_ITEMS,
  MAX_ADDRESSES,
  PROTOCOL_VERSION,
  SIGNATURE_SIZE,
} from '../src/constants.js';
import { nobleBackend } from '../src/crypto/noble.js';
import { decodeDatagram } from '../src/decode.js';
import { generateKeyPair } from '../src/keys.js';
import { encodeDatagram } from '../src/packet.js';
import type { RefusalReason } from '../src/refusal.js';
import { type AccessItem, formatAccess, type KnockRequest } from '../src/request.js';
import { createServerContext } from '../src/server-context.js';

const eph = new Uint8Array(32).fill(7);

const NOW = 1_800_000_030_000; // mid-epoch: the window touches this epoch and the one before
const server = generateKeyPair(nodeBackend, 'server');
const client = generateKeyPair(nodeBackend, 'client');
const options = {
  nowMs: NOW,
  windowMs: 60_000,
  seen: NO_REPLAY_MEMORY,
  replay: NO_REPLAY_MEMORY,
};
/** What a changed byte may be refused as without any public-key work (§7 1–6). */
const CHEAP: readonly RefusalReason[] = ['bad-version', 'unknown-client', 'bad-mac'];
/** What a forgery with a valid header, tag and mac2 must get past to reach the body parser. */
const BEFORE_PARSER: readonly RefusalReason[] = ['unknown-client', 'bad-mac', 'replay', 'decrypt-failed'];

const accessItem: fc.Arbitrary<AccessItem> = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,31}$/).map((name) => ({ type: 'service' as const, name })),
  fc.record({
    type: fc.constantFrom('tcp' as const, 'udp' as const),
    port: fc.integer({ min: 1, max: 65535 }),
  }),
);
const address = fc
  .oneof(fc.ipV4(), fc.ipV6())
  .map((a) => parseAddress(a))
  .filter((a) => a !== undefined && isGrantable(a))
  .map((a) => a!.text);
const request: fc.Arbitrary<KnockRequest> = fc
  .record({
    kind: fc.constantFrom('open' as const, 'close' as const),
    access: fc.uniqueArray(accessItem, { minLength: 1, maxLength: MAX_ACCESS_ITEMS, selector: formatAccess }),
    addresses: fc.uniqueArray(address, { maxLength: MAX_ADDRESSES }),
    durationSeconds: fc.integer({ min: 0, max: 0xffffffff }),
  })
  .map((r) => (r.kind === 'close' ? { ...r, durationSeconds: 0 } : r));

describe.each([nodeBackend, nobleBackend])('datagram properties, $name backend', (backend) => {
  const ctx = createServerContext(backend, server.secretKey);
  const table = new ClientTable(ctx, [{ publicKey: client.publicKey }]);
  const sender = senderSecrets(backend, client.secretKey, server.publicKey, client.publicKey);
  const decode = (datagram: Uint8Array) => decodeDatagram(ctx, table, datagram, options);
  const encode = (req: KnockRequest, ts = NOW) =>
    encodeDatagram({
      backend,
      serverPublicKey: server.publicKey,
      clientSecretKey: client.secretKey,
      request: req,
      now: () => ts,
    });

  it('a keyed HMAC gives hmacSha256 bytes for any key and message, and ignores later changes to the key array', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 300 }), (key, data) => {
        const expected = backend.hmacSha256(key, data);
        const keyed = backend.hmacSha256Keyed(key);
        key.fill(0xa5);
        expect(keyed(data)).toEqual(expected);
        expect(keyed(data)).toEqual(expected); // reusable: one prepared key, many messages
      }),
    );
  });

  it('round-trips every valid request', () => {
    fc.assert(
      // The whole window: 60 s behind the receiver's clock to DEFAULT_FUTURE_WINDOW_MS ahead of it.
      fc.property(request, fc.integer({ min: -60_000, max: DEFAULT_FUTURE_WINDOW_MS }), (req, skew) => {
        const { datagram } = encode(req, NOW + skew);
        expect(datagram.length).toBeLessThanOrEqual(1200);
        const result = decode(datagram);
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.value.knock).toMatchObject({ ...req, timestampMs: NOW + skew });
      }),
      { numRuns: backend === nodeBackend ? 300 : 60 },
    );
  });

  it('refuses a datagram with any single bit flipped, before any public-key work', () => {
    const { datagram } = encode({
      kind: 'open',
      access: [{ type: 'tcp', port: 22 }],
      addresses: ['192.0.2.1'],
      durationSeconds: 30,
    });
    // Every bit of one datagram: exhaustive, cheap because each fails at mac2 at the latest.
    for (let bit = 0; bit < datagram.length * 8; bit++) {
      const d = datagram.slice();
      d[bit >> 3]! ^= 1 << (bit & 7);
      const result = decode(d);
      expect(result.ok, `bit ${bit}`).toBe(false);
      if (!result.ok) expect(CHEAP, `bit ${bit}: ${result.reason}`).toContain(result.reason);
    }
  });

  it('never throws on arbitrary bytes, and never accepts them, even behind a valid header and tag', () => {
    const tag = computeClientTag(backend, sender.tagKey, epochOf(NOW));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1400 }), fc.boolean(), (bytes, tagged) => {
        if (tagged && bytes.length >= HEADER_SIZE) {
          bytes.set([PROTOCOL_VERSION, 0, 0, 0]);
          bytes.set(tag, CLIENT_TAG_OFFSET); // a known client's tag: on to the mac2 check
        }
        expect(decode(bytes).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary plaintext sealed with a valid tag and mac2 (the deep parser)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 5, max: 26 })
          .chain((blocks) => fc.uint8Array({ minLength: blocks * 32, maxLength: blocks * 32 })),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (plaintext, eph) => {
          const datagram = sealPlaintext(backend, server.publicKey, plaintext, eph, sender, {
            epoch: epochOf(NOW),
          });
          const result = decode(datagram);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(BEFORE_PARSER).not.toContain(result.reason); // it did reach the parser
        },
      ),
      { numRuns: backend === nodeBackend ? 500 : 100 },
    );
  });

  it('refuses a signed body with any byte changed, even when re-sealed with a valid tag and mac2', () => {
    const { datagram } = encode({
      kind: 'open',
      access: [{ type: 'service', name: 'ssh' }],
      addresses: ['192.0.2.9'],
      durationSeconds: 9,
    });
    const plain = unsealDatagram(backend, server.secretKey, datagram);
    const bodyEnd = SIGNATURE_SIZE + 79 + 5 + 1 + 5; // fixed part, 'ssh', address count, one IPv4 entry
    for (let at = 0; at < bodyEnd; at++) {
      const forged = plain.slice();
      forged[at]! ^= 0x01;
      // The header carries the changed body's nonce and the epoch of now: nothing but the body is off.
      const resealed = sealPlaintext(backend, server.publicKey, forged, eph, sender, { epoch: epochOf(NOW) });
      const result = decode(resealed);
      expect(result.ok, `byte ${at}`).toBe(false);
      if (!result.ok) expect(BEFORE_PARSER).not.toContain(result.reason);
    }
  });
});
