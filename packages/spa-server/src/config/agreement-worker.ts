/** The agreement worker's thread: X25519 and the two HKDFs of a first start's new keys, while the daemon's thread reads the files. @module */
import { parentPort, workerData } from 'node:worker_threads';
import { nodeBackend } from 'spa-node';
import { agreedClientSecrets, createServerContext, uncheckedEd25519PublicToX25519Many } from 'spa-protocol';
import { type AgreementChunk, type AgreementWorkerData, SLOT, SLOT_SECRETS_SIZE } from './agreement-slots.js';

// Bundled on its own (scripts/bundle.mjs) and started from its text, so a single-file executable
// has it too: it imports node:crypto, the HKDF and the derivation, and none of the curve arithmetic.

const KEY = 32;
const { serverSecretKey } = workerData as AgreementWorkerData;
const ctx = createServerContext(nodeBackend, serverSecretKey);

/** Each key the daemon's thread has not claimed, in order: claim, derive, write, then say DONE. */
function derive(chunk: AgreementChunk): void {
  const { flags, secrets, keys } = chunk;
  const us = uncheckedEd25519PublicToX25519Many(
    Array.from({ length: flags.length }, (_, i) => keys.subarray(i * KEY, (i + 1) * KEY)),
  );
  for (let i = 0; i < flags.length; i++) {
    const u = us[i];
    if (!u) continue;
    if (Atomics.compareExchange(flags, i, SLOT.free, SLOT.worker) !== SLOT.free) continue;
    let outcome: number = SLOT.failed;
    try {
      const derived = agreedClientSecrets(ctx, keys.subarray(i * KEY, (i + 1) * KEY), u);
      if (derived) {
        secrets.set(derived.tagKey, i * SLOT_SECRETS_SIZE);
        secrets.set(derived.macKey, i * SLOT_SECRETS_SIZE + KEY);
        derived.tagKey.fill(0);
        derived.macKey.fill(0);
        outcome = SLOT.done;
      }
    } catch {
      // FAILED: the daemon's thread derives the key itself, and reports what is wrong with it.
    }
    Atomics.store(flags, i, outcome);
    Atomics.notify(flags, i);
  }
}

parentPort?.on('message', (chunk: AgreementChunk) => derive(chunk));
