/** ClientTable (§6–§7 5): secrets once per key across reloads, tags for the epochs the window touches, full-tag lookup, no weak keys. */
import { nodeBackend } from 'spa-node';
import { senderSecrets } from 'spa-test-kit/forge/forge';
import { describe, expect, it } from 'vitest';
import { NO_REPLAY_MEMORY } from '../src/authenticate.js';
import { computeClientTag, epochOf } from '../src/client-keys.js';
import { ClientTable } from '../src/client-table.js';
import {
  CLIENT_TAG_OFFSET,
  EPOCH_MS,
  LABEL_CLIENT_TAG,
  MIN_DATAGRAM_SIZE,
  PROTOCOL_VERSION,
} from '../src/constants.js';
import type { CryptoBackend } from '../src/crypto/backend.js';
import { nobleBackend } from '../src/crypto/noble.js';
import { decodeDatagram } from '../src/decode.js';
import { generateKeyPair } from '../src/keys.js';
import { encodeDatagram } from '../src/packet.js';
import { createServerContext } from '../src/server-context.js';
import { codeOf } from './code-of.js';
import { torsionedKey } from './torsion.js';

const NOW = 1_800_000_030_000; // mid-epoch
const E = epochOf(NOW);
const PAST = 60_000;
const FUTURE = 5000;

const server = generateKeyPair(nodeBackend, 'server');
const otherServer = generateKeyPair(nodeBackend, 'server');
const pairs = Array.from({ length: 3 }, () => generateKeyPair(nodeBackend, 'client'));
const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((name, i) => ({
  name,
  publicKey: pairs[i]!.publicKey,
})) as [Client, Client, Client];
interface Client {
  readonly name: string;
  readonly publicKey: Uint8Array;
}
const seedOf = (c: Client) => pairs.find((p) => p.publicKey === c.publicKey)!.secretKey;

/** Wraps a backend to count its X25519 agreements and HMACs. */
function counting(backend: CryptoBackend) {
  const n = { x25519: 0, hmac: 0 };
  const counted: CryptoBackend = {
    ...backend,
    x25519: (...args) => {
      n.x25519++;
      return backend.x25519(...args);
    },
    hmacSha256: (...args) => {
      n.hmac++;
      return backend.hmacSha256(...args);
    },
    hmacSha256Keyed: (key) => {
      const keyed = backend.hmacSha256Keyed(key);
      return (data, length) => {
        n.hmac++;
        return keyed(data, length);
      };
    },
  };
  return { backend: counted, n };
}

/** Just enough of a datagram for a lookup: the version byte and one client's tag of `epoch`. */
function tagged(backend: CryptoBackend, client: Client, epoch: number, serverPublic = server.publicKey) {
  const d = new Uint8Array(MIN_DATAGRAM_SIZE);
  d[0] = PROTOCOL_VERSION;
  const { tagKey } = senderSecrets(backend, seedOf(client), serverPublic);
  d.set(computeClientTag(backend, tagKey, epoch), CLIENT_TAG_OFFSET);
  return d;
}

describe('ClientTable', () => {
  it("computes a key's secrets once: a rebuild for the same server key reuses those of unchanged keys", () => {
    const { backend, n } = counting(nodeBackend);
    const ctx = createServerContext(backend, server.secretKey);
    const first = new ClientTable(ctx, [alice, bob]);
    expect(n.x25519).toBe(2);

    // A reload: alice renamed (same key, new array), bob gone, carol new; a new context for the same key.
    n.x25519 = 0;
    const renamed: Client = { name: 'alice at home', publicKey: alice.publicKey.slice() };
    const reloaded = createServerContext(backend, server.secretKey);
    const second = new ClientTable(reloaded, [renamed, carol], first);
    expect(n.x25519).toBe(1);
    expect(second.secretsOf(alice.publicKey)).toBe(first.secretsOf(alice.publicKey));
    expect(second.secretsOf(bob.publicKey)).toBeUndefined();
    expect(second.size).toBe(2);

    // The knock is the renamed client's now.
    const { datagram } = encodeDatagram({
      backend: nodeBackend,
      serverPublicKey: server.publicKey,
      clientSecretKey: seedOf(alice),
      request: { kind: 'open', access: [{ type: 'tcp', port: 22 }], addresses: [], durationSeconds: 1 },
      now: () => NOW,
    });
    const options = { nowMs: NOW, windowMs: PAST, seen: NO_REPLAY_MEMORY, replay: NO_REPLAY_MEMORY };
    const result = decodeDatagram(reloaded, second, datagram, options);
    expect(result.ok && result.value.client).toBe(renamed);

    // Another server key shares nothing with the previous table.
    n.x25519 = 0;
    new ClientTable(createServerContext(backend, otherServer.secretKey), [renamed, carol], second);
    expect(n.x25519).toBe(2);
  });

  it('a rebuild makes tags only for new keys: a reload of unchanged keys costs no HMAC', () => {
    const { backend, n } = counting(nodeBackend);
    const ctx = createServerContext(backend, server.secretKey);
    const first = new ClientTable(ctx, [alice, bob]);
    first.advance(NOW, PAST, FUTURE);
    const made = n.hmac;
    expect(made).toBeGreaterThan(0);
    n.hmac = 0;
    const second = new ClientTable(ctx, [alice, bob, carol], first);
    second.advance(NOW, PAST, FUTURE);
    // Only carol's tags, one per epoch held.
    expect(n.hmac).toBe(made / 2);
    expect(second.lookup(tagged(nodeBackend, alice, Math.floor(NOW / 60_000)))?.client).toBe(alice);
  });

  it('holds tags for the epochs the window touches, adds and drops them as time passes', () => {
    const { backend, n } = counting(nodeBackend);
    const ctx = createServerContext(backend, server.secretKey);
    const table = new ClientTable(ctx, [alice, bob]);
    const known = (client: Client, epoch: number) => table.lookup(tagged(nodeBackend, client, epoch));
    expect(known(alice, E)).toBeUndefined(); // nothing before the first advance

    n.hmac = 0;
    table.advance(NOW, PAST, FUTURE); // [now − 60 s, now + 5 s] touches e − 1 and e
    expect(n.hmac).toBe(4); // two epochs, two clients
    expect(known(alice, E)).toMatchObject({ client: alice, epoch: E });
    expect(known(bob, E - 1)).toMatchObject({ client: bob, epoch: E - 1 });
    for (const epoch of [E - 2, E + 1]) expect(known(alice, epoch)).toBeUndefined();

    n.hmac = 0;
    table.advance(NOW + 1000, PAST, FUTURE); // the same epochs: nothing to do
    expect(n.hmac).toBe(0);

    table.advance(NOW + EPOCH_MS, PAST, FUTURE); // now e + 1: e − 1 is two epochs behind
    expect(n.hmac).toBe(2); // one new tag per client
    expect(known(alice, E - 1)).toBeUndefined();
    expect(known(bob, E - 1)).toBeUndefined();
    expect(known(alice, E)).toMatchObject({ epoch: E });
    expect(known(alice, E + 1)).toMatchObject({ epoch: E + 1 });

    n.hmac = 0;
    table.advance(NOW, PAST, FUTURE); // the clock stepped back a minute: e − 1 and e again
    expect(n.hmac).toBe(2);
    expect(known(alice, E - 1)).toMatchObject({ epoch: E - 1 });
    expect(known(alice, E + 1)).toBeUndefined();
  });

  it('lists the tags it holds, for a receiver that filters on them (the kernel gate)', () => {
    const table = new ClientTable(createServerContext(nodeBackend, server.secretKey), [alice, bob]);
    expect(table.heldTags()).toEqual([]);
    table.advance(NOW, PAST, FUTURE);
    // Held tags are texts, one latin1 character per byte; the expected ones are datagrams' bytes.
    const hex = (tags: string[]) => tags.map((t) => Buffer.from(t, 'latin1').toString('hex')).sort();
    const expected = (epochs: number[]) =>
      epochs
        .flatMap((epoch) => [alice, bob].map((c) => tagged(nodeBackend, c, epoch).subarray(4, 20)))
        .map((t) => Buffer.from(t).toString('hex'))
        .sort();
    expect(hex(table.heldTags())).toEqual(expected([E - 1, E]));
    expect(table.heldEpochs).toBe(`${E - 1}..${E}`);
    table.advance(NOW + EPOCH_MS, PAST, FUTURE);
    expect(hex(table.heldTags())).toEqual(expected([E, E + 1]));
    expect(table.heldEpochs).toBe(`${E}..${E + 1}`);
  });

  it('names the epoch and the MAC key the tag belongs to', () => {
    const ctx = createServerContext(nodeBackend, server.secretKey);
    const table = new ClientTable(ctx, [alice]);
    table.advance(NOW, PAST, FUTURE);
    const found = table.lookup(tagged(nodeBackend, alice, E - 1));
    expect(found?.epoch).toBe(E - 1);
    expect(found?.macKey).toEqual(senderSecrets(nodeBackend, seedOf(alice), server.publicKey).macKey);
  });

  it("two clients with one key: one HMAC per epoch for the key, and both clients' tags held across an advance", () => {
    const { backend, n } = counting(nodeBackend);
    const twin: Client = { name: 'alice-ci', publicKey: alice.publicKey };
    const table = new ClientTable(createServerContext(backend, server.secretKey), [alice, twin, bob]);
    // Each client holds its own entry per epoch, the twin's as well as alice's: three clients, two epochs.
    const held = () => table.heldTags().length;
    table.advance(NOW, PAST, FUTURE); // e − 1 and e
    expect(n.hmac).toBe(2 * 2);
    expect(held()).toBe(3 * 2);
    table.advance(NOW + EPOCH_MS, PAST, FUTURE); // e and e + 1: one new epoch, e − 1 dropped
    expect(n.hmac).toBe(2 * 3);
    expect(held()).toBe(3 * 2);
    expect(table.lookup(tagged(nodeBackend, alice, E - 1))).toBeUndefined();
    for (const epoch of [E, E + 1]) {
      expect(table.lookup(tagged(nodeBackend, alice, epoch))?.client.publicKey).toBe(alice.publicKey);
      expect(table.lookup(tagged(nodeBackend, bob, epoch))).toMatchObject({ client: bob, epoch });
    }
  });

  it('refuses a tag that shares its first four bytes with a real one but differs later', () => {
    const ctx = createServerContext(nodeBackend, server.secretKey);
    const table = new ClientTable(ctx, [alice, bob]);
    table.advance(NOW, PAST, FUTURE);
    const real = tagged(nodeBackend, alice, E);
    expect(table.lookup(real)?.client).toBe(alice);
    for (let at = 4; at < 16; at++) {
      const near = real.slice();
      near[CLIENT_TAG_OFFSET + at]! ^= 0x01;
      expect(table.lookup(near), `byte ${at} of the tag`).toBeUndefined();
    }
  });

  // 0xff: a bucket number with the sign bit set, as half of all real tags have.
  it.each([0x00, 0xff])(
    'tells apart clients whose tags all share their first four bytes (%i each)',
    (lead) => {
      // A backend whose client tags all begin with four `lead` bytes: every tag falls into one bucket.
      const colliding: CryptoBackend = {
        ...nobleBackend,
        hmacSha256(key, data) {
          const out = nobleBackend.hmacSha256(key, data);
          if (LABEL_CLIENT_TAG.every((c, i) => data[i] === c)) out.fill(lead, 0, 4);
          return out;
        },
      };
      const ctx = createServerContext(colliding, server.secretKey);
      const table = new ClientTable(ctx, [alice, bob, carol]);
      table.advance(NOW, PAST, FUTURE);
      for (const client of [alice, bob, carol]) {
        for (const epoch of [E - 1, E]) {
          const d = tagged(colliding, client, epoch);
          expect(d.subarray(CLIENT_TAG_OFFSET, CLIENT_TAG_OFFSET + 4)).toEqual(new Uint8Array(4).fill(lead));
          expect(table.lookup(d)).toMatchObject({ client, epoch });
        }
        const near = tagged(colliding, client, E);
        near[CLIENT_TAG_OFFSET + 15]! ^= 0x80;
        expect(table.lookup(near)).toBeUndefined();
      }
      table.advance(NOW + EPOCH_MS, PAST, FUTURE); // drops e − 1 from the shared bucket, keeps e
      for (const client of [alice, bob, carol]) {
        expect(table.lookup(tagged(colliding, client, E - 1))).toBeUndefined();
        expect(table.lookup(tagged(colliding, client, E))).toMatchObject({ client, epoch: E });
        expect(table.lookup(tagged(colliding, client, E + 1))).toMatchObject({ client, epoch: E + 1 });
      }
    },
  );

  it('refuses to be built from a weak key, whatever else it holds, as WEAK_KEY', () => {
    const ctx = createServerContext(nodeBackend, server.secretKey);
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const offCurve = new Uint8Array(32);
    offCurve[0] = 2;
    const nonCanonical = new Uint8Array(32).fill(0xff);
    nonCanonical[31] = 0x7f;
    const weak = [identity, torsionedKey(seedOf(alice), 3), offCurve, nonCanonical, new Uint8Array(31)];
    for (const publicKey of weak) {
      expect(codeOf(() => new ClientTable(ctx, [alice, { name: 'weak', publicKey }]))).toBe('WEAK_KEY');
    }
    // A previous table never lets one through: it could not have held one.
    const good = new ClientTable(ctx, [alice]);
    expect(codeOf(() => new ClientTable(ctx, [alice, { name: 'weak', publicKey: identity }], good))).toBe(
      'WEAK_KEY',
    );
  });
});
