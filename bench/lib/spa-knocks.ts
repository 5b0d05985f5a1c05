/** spa-server knocks built in-process through spa-protocol: valid, forged (bad signature) and bulk (signed addresses). @module */
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type CryptoBackend, encodeDatagram, type RandomSource } from 'spa-protocol';
import { nodeBackend } from 'spa-protocol/node';

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
   * Signed with a random key instead of the client's, under the client's key id: it passes mac1 and names
   * a configured client, so the server unseals it and runs the signature check before refusing it.
   */
  readonly forged?: boolean;
}

/** Builds one knock on this thread (about a millisecond: fine for a few hundred). */
export function buildKnock(
  keys: KnockKeys,
  spec: KnockSpec,
  builder: { backend: CryptoBackend; random?: RandomSource } = { backend: nodeBackend },
): Uint8Array {
  return encodeDatagram({
    ...builder,
    serverPublicKey: keys.serverPublicKey,
    clientSecretKey: spec.forged ? crypto.getRandomValues(new Uint8Array(32)) : keys.clientSecretKey,
    clientPublicKey: keys.clientPublicKey,
    request: {
      kind: 'open',
      access: [{ type: 'service', name: keys.service }],
      addresses: spec.addresses,
      durationSeconds: 0,
    },
  }).datagram;
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
  const raw = (text: string | undefined): Uint8Array => new Uint8Array(Buffer.from(text ?? '', 'base64url'));
  const signer = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: jwk(keys.clientSecretKey), x: jwk(keys.clientPublicKey) },
    format: 'jwk',
  });
  const ephemeral = new WeakMap<Uint8Array, KeyObject>();
  return {
    random(n) {
      if (n !== 32) return new Uint8Array(randomBytes(n));
      const { privateKey } = generateKeyPairSync('x25519');
      const secret = raw(privateKey.export({ format: 'jwk' }).d);
      ephemeral.set(secret, privateKey);
      return secret;
    },
    backend: {
      ...nodeBackend,
      ed25519Sign: (seed, message) =>
        seed === keys.clientSecretKey
          ? new Uint8Array(sign(null, message, signer))
          : nodeBackend.ed25519Sign(seed, message),
      x25519PublicKey(secret) {
        const key = ephemeral.get(secret);
        return key
          ? raw(createPublicKey(key).export({ format: 'jwk' }).x)
          : nodeBackend.x25519PublicKey(secret);
      },
      x25519(secret, publicKey) {
        const key = ephemeral.get(secret);
        if (!key) return nodeBackend.x25519(secret, publicKey);
        const peer = createPublicKey({
          key: { kty: 'OKP', crv: 'X25519', x: jwk(publicKey) },
          format: 'jwk',
        });
        return new Uint8Array(diffieHellman({ privateKey: key, publicKey: peer }));
      },
    },
  };
}

const WORKER = new URL('./spa-knock-worker.mjs', import.meta.url);

/**
 * Builds many knocks on worker threads, one per core: 100,000 knocks take minutes on one thread. Run
 * while the server under test is idle, so its CPU figures are not charged with the builders' work.
 */
export async function buildKnocksInWorkers(
  keys: KnockKeys,
  specs: readonly KnockSpec[],
): Promise<Uint8Array[]> {
  const threads = Math.max(1, Math.min(availableParallelism(), Math.ceil(specs.length / 500)));
  const per = Math.ceil(specs.length / threads);
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, i) => _runWorker(keys, specs.slice(i * per, (i + 1) * per))),
  );
  return parts.flat();
}

function _runWorker(keys: KnockKeys, specs: readonly KnockSpec[]): Promise<Uint8Array[]> {
  if (specs.length === 0) return Promise.resolve([]);
  // `source`: spa-protocol resolves to its TypeScript sources, as in the main thread.
  const worker = new Worker(WORKER, { workerData: { keys, specs }, execArgv: ['--conditions=source'] });
  return new Promise((resolve, reject) => {
    worker.once('message', (knocks: Uint8Array[]) => resolve(knocks));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`knock builder exited (${code}) without a result`)));
  });
}
