/** Protocol throughput per backend: knocks encoded and verified per second, and what each cheap refusal costs. `pnpm bench:protocol`. @module */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { nodeBackend } from 'spa-node';
import {
  ClientTable,
  type CryptoBackend,
  createServerContext,
  DEFAULT_FUTURE_WINDOW_MS,
  decodeDatagram,
  encodeDatagram,
  generateKeyPair,
  HEADER_SIZE,
  headerNonce,
  KEY_SIZE,
  type KnownClient,
  NO_REPLAY_MEMORY,
  nobleBackend,
  precheckDatagram,
  type RefusalReason,
  type SeenHook,
} from 'spa-protocol';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
/** Where protocol.json goes; scratch runs pass bench/results/tmp to stay out of git. */
const OUT_DIR = process.env.BENCH_OUT ?? 'bench/results';
/** Distinct datagrams per class, cycled: enough that no branch predictor or cache learns one. */
const POOL = 256;
/** Bytes a sniffed knock keeps: version, reserved, client tag, nonce (docs/protocol.md §3). */
const SNIFFED_PREFIX = HEADER_SIZE - KEY_SIZE;
const WINDOW_MS = 60_000;

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

/** One refused class: its rate through decodeDatagram and through the pre-check alone. */
interface Refused {
  readonly datagram: string;
  readonly reason: RefusalReason;
  readonly decodePerSecond: number;
  readonly precheckPerSecond: number;
}

function measure(backend: CryptoBackend) {
  const server = generateKeyPair(backend, 'server');
  const client = generateKeyPair(backend, 'client');
  const ctx = createServerContext(backend, server.secretKey);
  const table = new ClientTable<KnownClient>(ctx, [{ publicKey: client.publicKey }]);
  const nowMs = Date.now();
  table.advance(nowMs, WINDOW_MS, DEFAULT_FUTURE_WINDOW_MS); // precheckDatagram expects it done
  const request = {
    kind: 'open' as const,
    access: [{ type: 'service' as const, name: 'ssh' }],
    addresses: [],
    durationSeconds: 0,
  };
  // The client's public key is left for encodeDatagram to derive, as a client without it cached would.
  const encodeWith = (clientSecretKey: Uint8Array) => (): Uint8Array =>
    encodeDatagram({ backend, serverPublicKey: server.publicKey, clientSecretKey, request }).datagram;
  const encode = encodeWith(client.secretKey);
  const valid = Array.from({ length: POOL }, encode);
  const pools: Record<
    string,
    { reason: RefusalReason; datagrams: Uint8Array[]; seen: SeenHook<KnownClient> }
  > = {
    // Someone with every public key but no client's secret: a well-formed datagram under a tag no
    // configured client has (it is the random key's, paired with the client's public key).
    'unknown tag': {
      reason: 'unknown-client',
      datagrams: Array.from(
        { length: POOL },
        () =>
          encodeDatagram({
            backend,
            serverPublicKey: server.publicKey,
            clientSecretKey: crypto.getRandomValues(new Uint8Array(32)),
            clientPublicKey: client.publicKey,
            request,
          }).datagram,
      ),
      seen: NO_REPLAY_MEMORY,
    },
    // An observer's: a real knock's tag and nonce, the rest its own, so mac2 fails.
    'sniffed tag, bad mac2': {
      reason: 'bad-mac',
      datagrams: valid.map((d) => {
        const copy = crypto.getRandomValues(new Uint8Array(d.length));
        copy.set(d.subarray(0, SNIFFED_PREFIX));
        return copy;
      }),
      seen: NO_REPLAY_MEMORY,
    },
    // A byte copy of a knock the receiver accepted: mac2 holds, its replay memory knows the nonce.
    'replayed copy': {
      reason: 'replay',
      datagrams: valid,
      seen: replayMemoryOf(valid),
    },
  };

  const encodes = rate(encode);
  const verified = rate((i) => {
    const r = decodeDatagram(ctx, table, valid[i % POOL]!, {
      nowMs,
      windowMs: WINDOW_MS,
      seen: NO_REPLAY_MEMORY,
      replay: NO_REPLAY_MEMORY,
    });
    if (!r.ok) throw new Error(`valid datagram refused: ${r.reason}`);
  });
  const refused: Refused[] = Object.entries(pools).map(([name, pool]) => {
    const expect = (reason: RefusalReason | undefined): void => {
      if (reason !== pool.reason) throw new Error(`${name}: ${reason ?? 'accepted'}, not ${pool.reason}`);
    };
    const options = { nowMs, windowMs: WINDOW_MS, seen: pool.seen, replay: NO_REPLAY_MEMORY };
    const decodePerSecond = rate((i) => {
      const r = decodeDatagram(ctx, table, pool.datagrams[i % POOL]!, options);
      expect(r.ok ? undefined : r.reason);
    });
    const precheckPerSecond = rate((i) => {
      const r = precheckDatagram(table, pool.datagrams[i % POOL]!, pool.seen);
      expect(r.ok ? undefined : r.reason);
    });
    return { datagram: name, reason: pool.reason, decodePerSecond, precheckPerSecond };
  });
  return { backend: backend.name, encodesPerSecond: encodes, verifiedPerSecond: verified, refused };
}

/** A replay memory that holds `accepted`: a Set of hex nonces, the kind of lookup a receiver makes. */
function replayMemoryOf(accepted: readonly Uint8Array[]): SeenHook<KnownClient> {
  const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
  const nonces = new Set(accepted.map((d) => hex(headerNonce(d))));
  return (_client, nonce) => (nonces.has(hex(nonce)) ? 'replay' : undefined);
}

const results = [measure(nodeBackend), measure(nobleBackend)];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const us = (perSecond: number) => (1e6 / perSecond).toFixed(2);
console.log('| backend | encoded/s | valid verified/s (decodeDatagram) | µs per valid datagram |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of results) {
  console.log(
    `| ${r.backend} | ${fmt(r.encodesPerSecond)} | ${fmt(r.verifiedPerSecond)} | ${us(r.verifiedPerSecond)} |`,
  );
}
console.log('');
console.log(
  '| backend | refused datagram | reason | refused/s (decodeDatagram) | µs each | refused/s (precheckDatagram) | µs each |',
);
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: |');
for (const r of results) {
  for (const x of r.refused) {
    console.log(
      `| ${r.backend} | ${x.datagram} | ${x.reason} | ${fmt(x.decodePerSecond)} | ${us(x.decodePerSecond)} | ` +
        `${fmt(x.precheckPerSecond)} | ${us(x.precheckPerSecond)} |`,
    );
  }
}
mkdirSync(OUT_DIR, { recursive: true });
const out = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  secondsPerFigure: SECONDS,
  results,
};
const file = join(OUT_DIR, 'protocol.json');
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${file}`);
