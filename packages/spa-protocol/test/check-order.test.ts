/** §7 6–15 through their one implementation: the replay hook after the cheap checks, and a replay never reaches the signature. */
import { nodeBackend } from 'spa-node';
import { hex, unhex } from 'spa-test-kit/forge/forge';
import { describe, expect, it } from 'vitest';
import { type AuthenticateOptions, authenticateDatagram } from '../src/authenticate.js';
import type { CryptoBackend } from '../src/crypto/backend.js';
import { computeKeyId, generateKeyPair } from '../src/keys.js';
import { createServerContext, encodeDatagram } from '../src/packet.js';
import type { RefusalReason } from '../src/refusal.js';
import type { SignedKnock } from '../src/request.js';

const NOW = 1_800_000_000_000;
const WINDOW = 60_000;
const IDENTITY = unhex('0100000000000000000000000000000000000000000000000000000000000000'); // weak (§1)

/** Counts signature verifications, the cost a replay must never pay. */
function countingBackend(): { backend: CryptoBackend; verifies: () => number } {
  let n = 0;
  const backend: CryptoBackend = {
    ...nodeBackend,
    ed25519Verify: (...args) => {
      n++;
      return nodeBackend.ed25519Verify(...args);
    },
  };
  return { backend, verifies: () => n };
}

const server = generateKeyPair(nodeBackend, 'server');
const client = generateKeyPair(nodeBackend, 'client');
const alice = { name: 'alice', publicKey: client.publicKey };
const aliceId = hex(computeKeyId(nodeBackend, client.publicKey));
const knockAt = (timestampMs: number): Uint8Array =>
  encodeDatagram({
    backend: nodeBackend,
    serverPublicKey: server.publicKey,
    clientSecretKey: client.secretKey,
    request: { kind: 'open', access: [{ type: 'tcp', port: 22 }], addresses: [], durationSeconds: 30 },
    now: () => timestampMs,
  }).datagram;

function setup(replay?: (knock: SignedKnock) => RefusalReason | undefined) {
  const { backend, verifies } = countingBackend();
  const ctx = createServerContext(backend, server.secretKey);
  const asked: SignedKnock[] = [];
  const options: AuthenticateOptions<typeof alice> = {
    lookup: (id) => (hex(id) === aliceId ? alice : undefined),
    nowMs: NOW,
    windowMs: WINDOW,
    replay: (knock) => {
      asked.push(knock);
      return replay?.(knock);
    },
  };
  return { ctx, options, verifies, asked };
}

describe('authenticateDatagram (§7 6–15)', () => {
  it('accepts a fresh knock with one signature verification, after asking the replay hook', () => {
    const { ctx, options, verifies, asked } = setup();
    const result = authenticateDatagram(ctx, knockAt(NOW), options);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.client).toBe(alice);
    expect(asked).toHaveLength(1);
    expect(verifies()).toBe(1);
  });

  it('refuses a replay with the hook’s reason, the claimed client and the opened knock, unverified', () => {
    const datagram = knockAt(NOW);
    for (const verdict of ['replay', 'stale'] as const) {
      const { ctx, options, verifies } = setup(() => verdict);
      const result = authenticateDatagram(ctx, datagram, options);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.reason).toBe(verdict);
      expect(result.replayed?.client).toBe(alice);
      expect(hex(result.replayed?.opened.knock.keyId ?? new Uint8Array())).toBe(aliceId);
      expect(verifies()).toBe(0);
    }
  });

  it('asks the replay hook only after the lookup, the weak-key check and the window', () => {
    const cases: [string, Uint8Array, AuthenticateOptions<typeof alice>['lookup'], RefusalReason][] = [
      ['unknown client', knockAt(NOW), () => undefined, 'unknown-client'],
      [
        'weak key, even when also stale (11 before 12)',
        knockAt(NOW - 10 * WINDOW),
        () => ({ ...alice, publicKey: IDENTITY }),
        'weak-key',
      ],
      ['stale', knockAt(NOW - WINDOW - 1), (id) => (hex(id) === aliceId ? alice : undefined), 'stale'],
    ];
    for (const [name, datagram, lookup, reason] of cases) {
      const { ctx, options, verifies, asked } = setup(() => 'replay');
      const result = authenticateDatagram(ctx, datagram, { ...options, lookup });
      expect(result, name).toEqual({ ok: false, reason });
      expect(asked, name).toEqual([]);
      expect(verifies(), name).toBe(0);
    }
  });
});
