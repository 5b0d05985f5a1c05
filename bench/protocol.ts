/** Protocol throughput per backend: valid datagrams verified per second, junk refused per second. `pnpm bench:protocol`. @module */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { nodeBackend } from 'spa-node';
import {
  type CryptoBackend,
  computeKeyId,
  createServerContext,
  decodeDatagram,
  encodeDatagram,
  generateKeyPair,
  NO_REPLAY_MEMORY,
  nobleBackend,
} from 'spa-protocol';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

function rate(fn: (i: number) => void): number {
  for (let i = 0; i < 200; i++) fn(i); // warm-up: JIT and key caches
  const start = process.hrtime.bigint();
  const end = start + BigInt(SECONDS * 1e9);
  let n = 0;
  let now = start;
  while (now < end) {
    for (let k = 0; k < 100; k++) fn(n++);
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

function measure(backend: CryptoBackend) {
  const server = generateKeyPair(backend, 'server');
  const client = generateKeyPair(backend, 'client');
  const ctx = createServerContext(backend, server.secretKey);
  const id = Buffer.from(computeKeyId(backend, client.publicKey)).toString('hex');
  const known = { publicKey: client.publicKey };
  const options = {
    lookup: (k: Uint8Array) => (Buffer.from(k).toString('hex') === id ? known : undefined),
    nowMs: Date.now(),
    windowMs: 60_000,
    replay: NO_REPLAY_MEMORY,
  };
  // The client's public key is left for encodeDatagram to derive, as a client without it cached would.
  const encode = (): Uint8Array =>
    encodeDatagram({
      backend,
      serverPublicKey: server.publicKey,
      clientSecretKey: client.secretKey,
      request: {
        kind: 'open',
        access: [{ type: 'service', name: 'ssh' }],
        addresses: [],
        durationSeconds: 0,
      },
    }).datagram;
  const valid = Array.from({ length: 256 }, encode);
  // Junk a scanner would send: right length and version byte (so it reaches the HMAC), random rest.
  const junk = Array.from({ length: 256 }, () => {
    const d = crypto.getRandomValues(new Uint8Array(260));
    d.fill(0, 0, 4);
    d[0] = 1;
    return d;
  });
  const encodes = rate(encode);
  const verified = rate((i) => {
    if (!decodeDatagram(ctx, valid[i & 255]!, options).ok) throw new Error('valid datagram refused');
  });
  const refused = rate((i) => {
    if (decodeDatagram(ctx, junk[i & 255]!, options).ok) throw new Error('junk accepted');
  });
  return {
    backend: backend.name,
    encodesPerSecond: encodes,
    verifiedPerSecond: verified,
    junkRefusedPerSecond: refused,
  };
}

const results = [measure(nodeBackend), measure(nobleBackend)];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log('| backend | encoded/s | valid verified/s | junk refused/s (bad mac1) | µs per junk datagram |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const r of results) {
  console.log(
    `| ${r.backend} | ${fmt(r.encodesPerSecond)} | ${fmt(r.verifiedPerSecond)} | ${fmt(r.junkRefusedPerSecond)} | ${(1e6 / r.junkRefusedPerSecond).toFixed(2)} |`,
  );
}
mkdirSync('bench/results', { recursive: true });
const out = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  secondsPerFigure: SECONDS,
  results,
};
writeFileSync('bench/results/protocol.json', `${JSON.stringify(out, null, 2)}\n`);
console.log('wrote bench/results/protocol.json');
