/** ClientTable.create: the same table as the constructor, built in slices with pauses, reusing and trusting what it is given. */
import { nodeBackend } from 'spa-node';
import { describe, expect, it } from 'vitest';
import { ClientTable } from '../src/client-table.js';
import { ERROR_CODES } from '../src/errors.js';
import { generateKeyPair } from '../src/keys.js';
import { createServerContext } from '../src/server-context.js';
import { codeOf } from './code-of.js';
import { torsionedKey } from './torsion.js';

const server = generateKeyPair(nodeBackend, 'server');
const pairs = Array.from({ length: 5 }, () => generateKeyPair(nodeBackend, 'client'));
const clients = pairs.map((p, i) => ({ name: `c${i}`, publicKey: p.publicKey }));
const ctx = createServerContext(nodeBackend, server.secretKey);

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

  it('does no key work for keys the previous table holds: the same secrets, no pause', async () => {
    const first = await ClientTable.create(ctx, clients);
    let pauses = 0;
    const second = await ClientTable.create(ctx, clients, {
      previous: first,
      pause: async () => {
        pauses++;
      },
      sliceMs: 0,
    });
    expect(pauses).toBe(0);
    for (const { publicKey } of clients) expect(second.secretsOf(publicKey)).toBe(first.secretsOf(publicKey));
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
