/** ClientTable.create: the same table as the constructor, built in slices with pauses, reusing and trusting what it is given. */
import { nodeBackend } from 'spa-node';
import { describe, expect, it } from 'vitest';
import { ClientTable } from '../src/client-table.js';
import { CLIENT_TAG_OFFSET, MIN_DATAGRAM_SIZE } from '../src/constants.js';
import { ERROR_CODES } from '../src/errors.js';
import { generateKeyPair } from '../src/keys.js';
import { createServerContext } from '../src/server-context.js';
import { codeOf } from './code-of.js';
import { torsionedKey } from './torsion.js';

const server = generateKeyPair(nodeBackend, 'server');
const pairs = Array.from({ length: 5 }, () => generateKeyPair(nodeBackend, 'client'));
const clients = pairs.map((p, i) => ({ name: `c${i}`, publicKey: p.publicKey }));
const ctx = createServerContext(nodeBackend, server.secretKey);
/** Many clients over few keys: the table's per-client work without a key agreement each. */
const fleet = Array.from({ length: 1200 }, (_, i) => ({ name: `f${i}`, publicKey: pairs[i % 5]!.publicKey }));

describe('ClientTable.create', () => {
  it('derives what the constructor derives, pausing between slices so a receiver keeps running', async () => {
    let pauses = 0;
    let clock = 0;
    const table = await ClientTable.create(ctx, clients, {
      pause: async () => {
        pauses++;
      },
      sliceMs: 1,
      now: () => clock++, // every key takes a slice
    });
    const direct = new ClientTable(ctx, clients);
    expect(pauses).toBeGreaterThanOrEqual(clients.length - 1);
    for (const { publicKey } of clients)
      expect(table.secretsOf(publicKey)).toEqual(direct.secretsOf(publicKey));
  });

  it('does no key work for keys the previous table holds: the same secrets', async () => {
    const first = await ClientTable.create(ctx, clients);
    const second = await ClientTable.create(ctx, clients, { previous: first, pause: async () => {} });
    for (const { publicKey } of clients) expect(second.secretsOf(publicKey)).toBe(first.secretsOf(publicKey));
  });

  it('pauses in a rebuild that only reuses, when a fleet is large enough to take a slice', async () => {
    const first = await ClientTable.create(ctx, fleet);
    let pauses = 0;
    let clock = 0;
    const second = await ClientTable.create(ctx, fleet, {
      previous: first,
      pause: async () => {
        pauses++;
      },
      sliceMs: 1,
      now: () => clock++,
    });
    expect(pauses).toBeGreaterThan(0);
    expect(second.size).toBe(1200);
    expect(second.secretsOf(clients[0]!.publicKey)).toBe(first.secretsOf(clients[0]!.publicKey));
  });

  it('makes in slices the tags advance makes in one piece: the same lookups, the same held tags', async () => {
    const nowMs = 1_800_000_030_000;
    const whole = new ClientTable(ctx, fleet);
    whole.advance(nowMs, 60_000, 5000);
    const sliced = new ClientTable(ctx, fleet, whole);
    let pauses = 0;
    let clock = 0;
    await sliced.advanceInSlices(
      nowMs,
      60_000,
      5000,
      async () => {
        pauses++;
      },
      1,
      () => clock++,
    );
    expect(pauses).toBeGreaterThan(0);
    const hex = (tags: string[]) => tags.map((t) => Buffer.from(t, 'latin1').toString('hex')).sort();
    expect(hex(sliced.heldTags())).toEqual(hex(whole.heldTags()));
    expect(sliced.heldEpochs).toBe(whole.heldEpochs);
    for (const tag of new Set(hex(whole.heldTags()))) {
      const datagram = new Uint8Array(MIN_DATAGRAM_SIZE);
      datagram.set(Buffer.from(tag, 'hex'), CLIENT_TAG_OFFSET);
      expect(sliced.lookup(datagram)?.client).toBe(whole.lookup(datagram)?.client);
    }
  });

  it('takes the secrets `known` gives for a key, and derives the others', async () => {
    const cached = { tagKey: new Uint8Array(32).fill(1), macKey: new Uint8Array(32).fill(2) };
    const table = await ClientTable.create(ctx, clients, {
      known: (key) => (key === clients[0]!.publicKey ? { secrets: cached, checked: true } : undefined),
    });
    expect(table.secretsOf(clients[0]!.publicKey)).toBe(cached);
    expect(table.secretsOf(clients[1]!.publicKey)).toEqual(
      new ClientTable(ctx, [clients[1]!]).secretsOf(clients[1]!.publicKey),
    );
  });

  it('still refuses a weak key it has to derive, as WEAK_KEY', async () => {
    const weak = { name: 'mallory', publicKey: torsionedKey(pairs[0]!.secretKey, 3) };
    const error = await ClientTable.create(ctx, [...clients, weak]).catch((e: unknown) => e);
    expect(
      codeOf(() => {
        throw error;
      }),
    ).toBe(ERROR_CODES.weakKey);
  });
});
