/** Cost of the client-key checks at load and of each backend's Ed25519 verify: `pnpm bench:keys`. @module */

import { nodeBackend } from 'spa-node';
import { formatPublicKey, generateKeyPair, nobleBackend, parsePublicKey } from 'spa-protocol';

const KEYS = Number(process.env.BENCH_KEYS ?? 1000);
const VERIFIES = Number(process.env.BENCH_VERIFIES ?? 300);

const perCall = (n: number, fn: (i: number) => void): number => {
  const start = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return (performance.now() - start) / n;
};
const fmt = (ms: number): string => `${(ms * 1000).toFixed(0)} µs`;

// Fresh keys each run: parsePublicKey remembers verdicts per key, so a key parsed twice costs nothing.
const texts = (n: number): string[] =>
  Array.from({ length: n }, () =>
    formatPublicKey('client', generateKeyPair(nobleBackend, 'client').publicKey),
  );

perCall(50, (i) => parsePublicKey('client', texts(50)[i]!)); // warm-up
const fresh = texts(KEYS);
const parse = perCall(KEYS, (i) => parsePublicKey('client', fresh[i]!));
const again = perCall(KEYS, (i) => parsePublicKey('client', fresh[i]!));
console.log(
  `parsePublicKey('client'), first time per key: ${fmt(parse)} (x 10,000 keys: ${(parse * 10).toFixed(1)} s)`,
);
console.log(`parsePublicKey('client'), same key again:     ${fmt(again)}`);

const { secretKey: seed, publicKey } = generateKeyPair(nobleBackend, 'client');
const message = new Uint8Array(200).fill(1);
const signature = nobleBackend.ed25519Sign(seed, message);
for (const [name, verify] of [
  [
    'noble backend (cofactorless, explicit)',
    (i: number) => nobleBackend.ed25519Verify(publicKey, message, signature) || i,
  ],
  ['node backend (OpenSSL)', (i: number) => nodeBackend.ed25519Verify(publicKey, message, signature) || i],
] as const) {
  perCall(20, verify);
  console.log(`${name}: ${fmt(perCall(VERIFIES, verify))} per verify`);
}
