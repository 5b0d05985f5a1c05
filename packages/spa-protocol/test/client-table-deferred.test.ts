/** ClientTable with §1's subgroup check deferred: keys serve at once, and a key with a torsion component is never accepted, whether its datagram comes before or after the check. */
import { nodeBackend } from 'spa-node';
import { describe, expect, it } from 'vitest';
import {
  checkedClientSecrets,
  computeClientTag,
  epochOf,
  provisionalClientSecrets,
} from '../src/client-keys.js';
import { ClientTable } from '../src/client-table.js';
import { CLIENT_TAG_OFFSET, MIN_DATAGRAM_SIZE } from '../src/constants.js';
import { generateKeyPair } from '../src/keys.js';
import { createServerContext } from '../src/server-context.js';
import { tagText } from '../src/tag-match.js';
import { torsionedKey } from './torsion.js';

const ctx = createServerContext(nodeBackend, generateKeyPair(nodeBackend, 'server').secretKey);
const NOW = 1_800_000_000_000;
const WINDOW = 60_000;

interface Client {
  readonly name: string;
  readonly publicKey: Uint8Array;
}
const sound = (name: string): Client => ({
  name,
  publicKey: generateKeyPair(nodeBackend, 'client').publicKey,
});
// A fresh key each time: a verdict, once made, is remembered for the process.
const torsioned = (name: string): Client => ({
  name,
  publicKey: torsionedKey(
    generateKeyPair(nodeBackend, 'client').secretKey,
    1 + Math.floor(Math.random() * 7),
  ),
});

/** A table built as the daemon builds it, and the clients its deferred checks refused. */
async function deferred(clients: readonly Client[], previous?: ClientTable<Client>) {
  const refused: string[] = [];
  const table = await ClientTable.create(ctx, clients, {
    previous,
    deferSubgroupCheck: true,
    refused: (c) => refused.push(c.name),
  });
  table.advance(NOW, WINDOW, WINDOW);
  return { table, refused };
}

/** The secrets of one key's own agreement; a torsioned key's are made as a sound key's are, before its check. */
function checkedClientSecretsUnchecked(publicKey: Uint8Array) {
  try {
    return checkedClientSecrets(ctx, publicKey, 'key');
  } catch {
    return provisionalClientSecrets(ctx, publicKey, 'key');
  }
}

/** The key's subgroup check so far, as a key cache would record it. */
const checkOf = (table: ClientTable<Client>, client: Client) =>
  [...table.keys()].find((k) => k.publicKey === client.publicKey)?.check;

/** A datagram carrying `client`'s tag of the current epoch, with the secrets the table derived for it. */
function datagramOf(table: ClientTable<Client>, client: Client): Uint8Array {
  const datagram = new Uint8Array(MIN_DATAGRAM_SIZE);
  const tag = computeClientTag(nodeBackend, table.secretsOf(client.publicKey)!.tagKey, epochOf(NOW));
  datagram.set(tag, CLIENT_TAG_OFFSET);
  return datagram;
}

const held = (table: ClientTable<Client>, datagram: Uint8Array): boolean => {
  const tag = tagText(datagram.subarray(CLIENT_TAG_OFFSET, CLIENT_TAG_OFFSET + 16));
  return table.heldTags().some((t) => t === tag);
};

describe('ClientTable with deferred subgroup checks', () => {
  it('loads a torsioned key without the check, and refuses it at its first datagram, before its mac2 key is used', async () => {
    const alice = sound('alice');
    const mallory = torsioned('mallory');
    const { table, refused } = await deferred([alice, mallory]);
    expect(table.pendingChecks).toBe(2);
    const forged = datagramOf(table, mallory);
    expect(held(table, forged)).toBe(true);
    expect(table.lookup(forged)).toBeUndefined();
    expect(refused).toEqual(['mallory']);
    expect(table.lookup(forged)).toBeUndefined();
    expect(refused).toEqual(['mallory']); // told once
    expect(held(table, forged)).toBe(false);
    expect(checkOf(table, mallory)).toBe('refused');
    // A sound key's first datagram checks it too, and finds it.
    expect(checkOf(table, alice)).toBe('pending');
    expect(table.lookup(datagramOf(table, alice))?.client).toBe(alice);
    expect(checkOf(table, alice)).toBe('passed');
    expect(table.pendingChecks).toBe(0);
  });

  it('refuses a torsioned key that the background check reached first: its datagrams find nothing', async () => {
    const clients = [sound('a'), torsioned('mallory'), sound('b')];
    const { table, refused } = await deferred(clients);
    const forged = datagramOf(table, clients[1]!);
    let left = table.pendingChecks;
    while (left > 0) left = table.checkPending(0);
    expect(refused).toEqual(['mallory']);
    expect(table.lookup(forged)).toBeUndefined();
    expect(refused).toEqual(['mallory']);
    expect(held(table, forged)).toBe(false);
    expect(table.lookup(datagramOf(table, clients[0]!))?.client.name).toBe('a');
    expect(checkOf(table, clients[2]!)).toBe('passed');
  });

  it("derives a fleet's new keys, mapped in batches, to the secrets each key's own agreement gives", async () => {
    // More than one batch, with a repeated key, a key of the previous table and torsioned keys between.
    const kept = sound('kept');
    const previous = (await deferred([kept])).table;
    const fleet = Array.from({ length: 150 }, (_, i) => (i % 37 === 5 ? torsioned(`t${i}`) : sound(`c${i}`)));
    const clients = [...fleet.slice(0, 70), kept, fleet[3]!, ...fleet.slice(70)];
    const { table } = await deferred(clients, previous);
    for (const c of fleet) {
      expect(table.secretsOf(c.publicKey)).toEqual(checkedClientSecretsUnchecked(c.publicKey));
    }
    expect(table.secretsOf(kept.publicKey)).toBe(previous.secretsOf(kept.publicKey));
  });

  it('checks in slices: one key at least per call, as many as the budget allows', async () => {
    const clients = Array.from({ length: 4 }, (_, i) => sound(`c${i}`));
    const { table } = await deferred(clients);
    expect(table.checkPending(0)).toBe(3);
    expect(table.checkPending(60_000)).toBe(0);
  });

  it('keeps a refused key refused in the tables of later reloads, and checks only the keys they add', async () => {
    const mallory = torsioned('mallory');
    const first = await deferred([sound('a'), mallory]);
    first.table.checkPending(60_000);
    const carol = sound('carol');
    const second = await deferred([...[mallory], carol], first.table);
    expect(second.table.pendingChecks).toBe(1);
    expect(second.table.lookup(datagramOf(second.table, mallory))).toBeUndefined();
    expect(second.refused).toEqual([]); // reported once, by the table that checked it
    expect(second.table.lookup(datagramOf(second.table, carol))?.client).toBe(carol);
  });

  it("takes a key cache's secrets for a key not yet checked, and still refuses a torsioned one before and after its check", async () => {
    const alice = sound('alice');
    const early = torsioned('early');
    const late = torsioned('late');
    const first = await deferred([alice, early, late]);
    // A restart: the secrets come from the cache, as recorded before any check was made.
    const known = new Map(
      [alice, early, late].map((c) => [c.publicKey, first.table.secretsOf(c.publicKey)!]),
    );
    const refused: string[] = [];
    const table = await ClientTable.create(ctx, [alice, early, late], {
      known: (key) => ({ secrets: known.get(key)!, checked: false }),
      deferSubgroupCheck: true,
      refused: (c) => refused.push(c.name),
    });
    table.advance(NOW, WINDOW, WINDOW);
    expect(table.secretsOf(early.publicKey)).toBe(known.get(early.publicKey));
    expect(table.pendingChecks).toBe(3);
    expect(table.lookup(datagramOf(table, early))).toBeUndefined(); // its datagram comes first
    while (table.checkPending(60_000) > 0);
    expect(table.lookup(datagramOf(table, late))).toBeUndefined(); // its check came first
    expect(refused).toEqual(['early', 'late']);
    expect(table.lookup(datagramOf(table, alice))?.client).toBe(alice);
  });

  it('asks `known` once per new key, in order: the look-ahead that maps the next keys asks `knows`', async () => {
    const fleet = Array.from({ length: 100 }, (_, i) => sound(`c${i}`));
    const cached = new Set(fleet.filter((_, i) => i % 3 === 0).map((c) => c.publicKey));
    const reference = await deferred(fleet);
    const asked: string[] = [];
    const table = await ClientTable.create(ctx, fleet, {
      // `known` may claim a key (a server's worker) or wait for it: asked only for the key being built.
      known: (key) => {
        asked.push(fleet.find((c) => c.publicKey === key)!.name);
        return cached.has(key) ? { secrets: reference.table.secretsOf(key)!, checked: false } : undefined;
      },
      knows: (key) => cached.has(key),
      deferSubgroupCheck: true,
    });
    expect(asked).toEqual(fleet.map((c) => c.name));
    for (const { publicKey } of fleet)
      expect(table.secretsOf(publicKey)).toEqual(reference.table.secretsOf(publicKey));
  });

  it('without deferral, a torsioned key the cache holds unchecked fails the build (WEAK_KEY)', async () => {
    const mallory = torsioned('mallory');
    const secrets = (await deferred([mallory])).table.secretsOf(mallory.publicKey)!;
    await expect(
      ClientTable.create(ctx, [mallory], { known: () => ({ secrets, checked: false }) }),
    ).rejects.toMatchObject({ code: 'WEAK_KEY' });
  });

  it('without deferral, a torsioned key still fails the build (WEAK_KEY)', async () => {
    await expect(ClientTable.create(ctx, [torsioned('mallory')])).rejects.toMatchObject({ code: 'WEAK_KEY' });
  });
});
