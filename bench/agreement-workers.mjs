// @ts-check
/** What worker threads would save of a first start's key agreements: X25519 for N keys on this thread, then split across 1..W workers. `pnpm bench:agreement-workers`. @module */
import { createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/*
 * A first start of 10,000 new keys spends ~0.4 s of its ~2 s in X25519 (node:crypto, a raw key
 * imported as JWK, as spa-node's backend does), the one per-key cost no cache spares. The question
 * this answers: would a pool of worker threads take that below what one thread does? Each worker's
 * time includes its start, as a daemon's would. The server's key goes over as a KeyObject (Node
 * clones the handle, never the key's bytes into JS), the public keys as one buffer. The workers run
 * node:crypto only (an eval'd script: no bundle to load). Throwaway keys: nothing is written.
 */
const KEYS = Number(process.env.BENCH_KEYS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MAX_WORKERS = Number(process.env.BENCH_WORKERS ?? Math.max(2, availableParallelism()));
const OUT_DIR = process.env.BENCH_OUT ?? 'bench/results';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPublicKey, diffieHellman } = require('node:crypto');
const { privateKey } = workerData;
const u = workerData.u;
const out = new Uint8Array(u.length);
for (let i = 0; i < u.length; i += 32) {
  const x = Buffer.from(u.buffer, u.byteOffset + i, 32).toString('base64url');
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
  out.set(diffieHellman({ privateKey, publicKey }), i);
}
parentPort.postMessage(out, [out.buffer]);
`;

const server = generateKeyPairSync('x25519');
const keys = new Uint8Array(KEYS * 32);
for (let i = 0; i < KEYS; i++) {
  const jwk = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
  keys.set(Buffer.from(String(jwk.x), 'base64url'), i * 32);
}

/** Ms for every agreement on this thread. */
function serial() {
  const started = performance.now();
  for (let i = 0; i < KEYS; i++) {
    const x = Buffer.from(keys.buffer, i * 32, 32).toString('base64url');
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
    diffieHellman({ privateKey: server.privateKey, publicKey });
  }
  return performance.now() - started;
}

/**
 * Ms for every agreement split across `n` workers, from their start to the last result.
 * @param {number} n
 */
async function pooled(n) {
  const started = performance.now();
  const per = Math.ceil(KEYS / n);
  await Promise.all(
    Array.from(
      { length: n },
      (_, w) =>
        new Promise((resolve, reject) => {
          const u = keys.slice(w * per * 32, Math.min(KEYS, (w + 1) * per) * 32);
          const worker = new Worker(WORKER, { eval: true, workerData: { privateKey: server.privateKey, u } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  return performance.now() - started;
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
serial(); // warm-up: OpenSSL's first use, the JIT
/** @type {Record<number, number>} ms by number of workers */
const workersMs = {};
const figures = { keys: KEYS, runs: RUNS, cores: availableParallelism(), serialMs: 0, workersMs };
/** @type {number[]} */
const serialRuns = [];
/** @type {number[][]} */
const workerRuns = Array.from({ length: MAX_WORKERS }, () => []);
// Interleaved, so a change in the host's load falls on every variant alike.
for (let r = 0; r < RUNS; r++) {
  serialRuns.push(serial());
  for (let n = 1; n <= MAX_WORKERS; n++) workerRuns[n - 1]?.push(await pooled(n));
}
figures.serialMs = Math.round(median(serialRuns));
for (let n = 1; n <= MAX_WORKERS; n++) workersMs[n] = Math.round(median(workerRuns[n - 1] ?? []));
const result = { ...figures, loadAverage: loadavg().map((l) => Number(l.toFixed(2))) };
console.log(JSON.stringify(result, null, 2));
mkdirSync(OUT_DIR, { recursive: true });
const out = join(
  OUT_DIR,
  `${new Date().toISOString().slice(0, 19).replaceAll(':', '-')}Z-agreement-workers.json`,
);
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${out}`);
