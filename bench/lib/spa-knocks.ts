/** spa-server knocks built in-process through spa-protocol: valid, forged (unknown tag, sniffed tag) and bulk (signed addresses). @module */
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
  sign,
} from 'node:crypto';
import { nodeBackend } from 'spa-node';
import { type CryptoBackend, HEADER_SIZE, KEY_SIZE, type RandomSource } from 'spa-protocol';
import { encodeKnock } from 'spa-test-kit/build/spa-fixture';

/** What a knock is made of: the keys and the one service every bench knock asks for. */
export interface KnockKeys {
  readonly serverPublicKey: Uint8Array;
  readonly clientSecretKey: Uint8Array;
  readonly clientPublicKey: Uint8Array;
  readonly service: string;
}

/** One knock to build: the addresses signed into it (empty: the sender's address), or a forgery. */
export interface KnockSpec {
  readonly addresses: readonly string[];
  /**
   * Made with a random secret key next to the client's public key, as anyone holding the public keys
   * can: well-formed, but its client tag and mac2 key come from the random key, so no configured
   * client has that tag and the server refuses it at the tag lookup (`unknown-client`).
   */
  readonly forged?: boolean;
  /** Seconds the grant should last; absent: the server's default. */
  readonly durationSeconds?: number;
}

/** Builds one knock on this thread (about a millisecond: fine for a few hundred). */
export function buildKnock(
  keys: KnockKeys,
  spec: KnockSpec,
  builder: { backend: CryptoBackend; random?: RandomSource } = { backend: nodeBackend },
): Uint8Array {
  const client = {
    secretKey: spec.forged ? crypto.getRandomValues(new Uint8Array(32)) : keys.clientSecretKey,
    publicKey: keys.clientPublicKey,
  };
  const request = {
    access: [{ type: 'service' as const, name: keys.service }],
    addresses: spec.addresses,
    ...(spec.durationSeconds === undefined ? {} : { durationSeconds: spec.durationSeconds }),
  };
  return encodeKnock(keys.serverPublicKey, client, request, builder);
}

/**
 * A builder for many knocks: nodeBackend, except that no key is imported from raw bytes on the way.
 * OpenSSL 3 imports are most of what a knock costs to build (the CLI pays them once per process): the
 * client's signing key is imported once, and each ephemeral X25519 key is generated as a key object,
 * its secret handed to encodeDatagram as the `random` bytes it asks for. The wire bytes are made by
 * spa-protocol exactly as for any client.
 */
export function fastBuilder(keys: KnockKeys): { backend: CryptoBackend; random: RandomSource } {
  const jwk = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
  const signer = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: jwk(keys.clientSecretKey), x: jwk(keys.clientPublicKey) },
    format: 'jwk',
  });
  // secret → public key of each ephemeral pair. Keys are generated straight to DER and imported as
  // JWK: exporting a generated key object as JWK can deadlock Node 20 (ExportJWKEdKey allocates while
  // holding the key's mutex, and a GC finalising the key-generation job takes the same mutex).
  const ephemeral = new WeakMap<Uint8Array, Uint8Array>();
  return {
    random(n) {
      if (n !== 32) return new Uint8Array(randomBytes(n));
      const pair = generateKeyPairSync('x25519', {
        publicKeyEncoding: { type: 'spki', format: 'der' },
        privateKeyEncoding: { type: 'pkcs8', format: 'der' },
      });
      const secret = new Uint8Array(pair.privateKey.subarray(pair.privateKey.length - 32));
      ephemeral.set(secret, new Uint8Array(pair.publicKey.subarray(pair.publicKey.length - 32)));
      return secret;
    },
    backend: {
      ...nodeBackend,
      ed25519Sign: (seed, message) =>
        seed === keys.clientSecretKey
          ? new Uint8Array(sign(null, message, signer))
          : nodeBackend.ed25519Sign(seed, message),
      x25519PublicKey: (secret) => ephemeral.get(secret)?.slice() ?? nodeBackend.x25519PublicKey(secret),
      x25519(secret, publicKey) {
        const mine = ephemeral.get(secret);
        if (!mine) return nodeBackend.x25519(secret, publicKey);
        const key = createPrivateKey({
          key: { kty: 'OKP', crv: 'X25519', d: jwk(secret), x: jwk(mine) },
          format: 'jwk',
        });
        const peer = createPublicKey({
          key: { kty: 'OKP', crv: 'X25519', x: jwk(publicKey) },
          format: 'jwk',
        });
        return new Uint8Array(diffieHellman({ privateKey: key, publicKey: peer }));
      },
    },
  };
}

/**
 * Builds many knocks with fastBuilder (100,000 in about 20 s), yielding to the event loop between
 * batches so the server's log pipe keeps being read. Run it while the server under test is idle.
 */
export async function buildManyKnocks(keys: KnockKeys, specs: readonly KnockSpec[]): Promise<Uint8Array[]> {
  const builder = fastBuilder(keys);
  const out: Uint8Array[] = [];
  for (const spec of specs) {
    out.push(buildKnock(keys, spec, builder));
    if (out.length % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

/** What an observer keeps of a real knock: version, reserved bytes, client tag and nonce (docs/protocol.md §3). */
const SNIFFED_PREFIX = HEADER_SIZE - KEY_SIZE;

/**
 * `count` datagrams of an attacker who sniffed `sniffed` real knocks of this epoch: each starts with
 * one of their headers up to the ephemeral key (so its tag names the configured client) and goes on
 * with random bytes, at the real knock's length. Only mac2 tells them apart (`bad-mac`). The real
 * knocks are built here and never sent; their tags hold while the table keeps this epoch.
 */
export async function buildSniffedTagKnocks(
  keys: KnockKeys,
  count: number,
  sniffed: number,
): Promise<Uint8Array[]> {
  const real = await buildManyKnocks(
    keys,
    Array.from({ length: Math.max(1, Math.min(sniffed, count)) }, () => ({ addresses: [] })),
  );
  return Array.from({ length: count }, (_, i) => {
    const from = real[i % real.length]!;
    const datagram = new Uint8Array(randomBytes(from.length));
    datagram.set(from.subarray(0, SNIFFED_PREFIX));
    return datagram;
  });
}
