/** spa-server knocks built in-process through spa-protocol: valid, forged (bad signature) and bulk (signed addresses). @module */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { encodeDatagram } from 'spa-protocol';
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
export function buildKnock(keys: KnockKeys, spec: KnockSpec): Uint8Array {
  return encodeDatagram({
    backend: nodeBackend,
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
