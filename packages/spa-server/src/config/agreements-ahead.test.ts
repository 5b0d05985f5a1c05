/** Agreements made ahead in a real worker thread: the same secrets as the table's own, each key derived once, nothing left behind. */
import { nodeBackend } from 'spa-node';
import { clientSecretsFromServerKey, generateKeyPair } from 'spa-protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { agreementWorkerSource } from '../../test/agreement-worker-source.js';
import { SLOT } from './agreement-slots.js';
import { AgreementsAhead } from './agreements-ahead.js';

const server = generateKeyPair(nodeBackend, 'server');
const keys = Array.from({ length: 700 }, () => generateKeyPair(nodeBackend, 'client').publicKey);
const secretsOf = (publicKey: Uint8Array) =>
  clientSecretsFromServerKey(nodeBackend, server.secretKey, server.publicKey, publicKey)!;
const until = async (done: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

let source: string;
beforeAll(async () => {
  source = await agreementWorkerSource();
});

describe('AgreementsAhead', () => {
  it('derives in a worker the secrets the table would derive, and hands each over once it is done', async () => {
    const ahead = new AgreementsAhead(server.secretKey, source, 512);
    for (const key of keys) ahead.offer(key);
    ahead.offersDone();
    await until(() => ahead.outstanding === 0);
    for (const key of keys) expect(ahead.knows(key)).toBe(true);
    for (const key of keys) expect(ahead.known(key)).toEqual(secretsOf(key));
    expect(ahead.finish()).toBe(keys.length);
    expect(ahead.failure).toBeUndefined(); // terminated by finish: no failure
  });

  it('leaves a key this thread claimed first to this thread: the worker skips it', async () => {
    const ahead = new AgreementsAhead(server.secretKey, source, 512);
    for (const key of keys) ahead.offer(key);
    // Claimed before the worker gets the last chunk: undefined now, and never derived by the worker.
    const claimed = keys.slice(-10);
    for (const key of claimed) expect(ahead.known(key)).toBeUndefined();
    ahead.offersDone();
    await until(() => ahead.outstanding === 0);
    for (const key of claimed) expect(ahead.known(key)).toBeUndefined();
    expect(ahead.finish()).toBe(keys.length - claimed.length);
  });

  it('while the worker makes the key this thread needs, this thread derives keys from the far end', async () => {
    // A worker that claims each chunk's first key and holds it for seconds, deriving nothing.
    const holding = `const { parentPort } = require('node:worker_threads');
      parentPort.on('message', (chunk) => {
        if (Atomics.compareExchange(chunk.flags, 0, ${SLOT.free}, ${SLOT.worker}) !== ${SLOT.free}) return;
        setTimeout(() => { Atomics.store(chunk.flags, 0, ${SLOT.failed}); Atomics.notify(chunk.flags, 0); }, 5000);
      });`;
    const ahead = new AgreementsAhead(server.secretKey, holding, 512);
    for (const key of keys) ahead.offer(key);
    ahead.offersDone();
    await new Promise((r) => setTimeout(r, 300)); // the worker has claimed its keys
    expect(ahead.outstanding).toBe(keys.length);
    const started = performance.now();
    // Held by the worker: this thread derives two batches of eight from the far end, then waits
    // 20 ms at most and leaves the key to the table; a stalled worker never costs it the rest.
    expect(ahead.known(keys[0]!)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
    expect(ahead.outstanding).toBe(keys.length - 16);
    for (const key of keys.slice(-16)) expect(ahead.known(key)).toEqual(secretsOf(key));
    // Derived here, not by the worker: its count (the log's keysDerivedAhead) is 0.
    expect(ahead.finish()).toBe(0);
  });

  it('at finish, lets the worker end the key it is on before terminating it: that key counts', async () => {
    // A worker that claims the first key and finishes it only once the next is no longer free
    // (finish takes every free key): terminated before that, it would never store its flag.
    const finishing = `const { parentPort } = require('node:worker_threads');
      parentPort.on('message', (chunk) => {
        if (Atomics.compareExchange(chunk.flags, 0, ${SLOT.free}, ${SLOT.worker}) !== ${SLOT.free}) return;
        while (Atomics.load(chunk.flags, 1) === ${SLOT.free}) Atomics.wait(chunk.flags, 1, ${SLOT.free}, 1);
        chunk.secrets.fill(7, 0, 64);
        Atomics.store(chunk.flags, 0, ${SLOT.done});
        Atomics.notify(chunk.flags, 0);
      });`;
    const ahead = new AgreementsAhead(server.secretKey, finishing, 512);
    for (const key of keys) ahead.offer(key);
    ahead.offersDone();
    await new Promise((r) => setTimeout(r, 300)); // the worker is on its first key
    expect(ahead.knows(keys[0]!)).toBe(true);
    expect(ahead.knows(keys[1]!)).toBe(false); // free: the table's to map ahead, not claimed by asking
    expect(ahead.finish()).toBe(1);
  });

  it('starts no worker for fewer keys than its threshold: every key is this thread’s', () => {
    const ahead = new AgreementsAhead(server.secretKey, source, 512);
    for (const key of keys.slice(0, 100)) ahead.offer(key);
    ahead.offersDone();
    for (const key of keys.slice(0, 100)) expect(ahead.known(key)).toBeUndefined();
    expect(ahead.finish()).toBe(0);
  });

  it('a worker that fails costs time, never a key or a hang: its keys are left to this thread', async () => {
    const ahead = new AgreementsAhead(server.secretKey, 'throw new Error("broken worker")', 512);
    for (const key of keys) ahead.offer(key);
    ahead.offersDone();
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    for (const key of keys) expect(ahead.known(key)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(ahead.finish()).toBe(0);
    expect(ahead.failure).toMatch(/broken worker/); // for the daemon's one warning
  });

  it('after finish, nothing is handed over and offers are ignored', async () => {
    const ahead = new AgreementsAhead(server.secretKey, source, 512);
    for (const key of keys) ahead.offer(key);
    ahead.offersDone();
    await until(() => ahead.outstanding === 0);
    ahead.finish();
    expect(ahead.known(keys[0]!)).toBeUndefined();
    ahead.offer(keys[0]!);
    expect(ahead.finish()).toBe(0);
  });

  it('offering a key twice derives it once', async () => {
    const ahead = new AgreementsAhead(server.secretKey, source, 512);
    for (const key of [...keys, ...keys]) ahead.offer(key);
    ahead.offersDone();
    await until(() => ahead.outstanding === 0);
    expect(ahead.finish()).toBe(keys.length);
  });
});
