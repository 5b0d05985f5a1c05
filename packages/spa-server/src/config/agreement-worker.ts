/** The agreement worker's thread: X25519 and the two HKDFs of a first start's new keys, while the daemon's thread reads the files. @module */
import { parentPort, workerData } from 'node:worker_threads';
import { nodeBackend } from 'spa-node';
import { createServerContext, KEY_SIZE, uncheckedEd25519PublicToX25519Many } from 'spa-protocol';
import { deriveIntoSlot } from './agreement-derive.js';
import { type AgreementChunk, type AgreementWorkerData, SLOT } from './agreement-slots.js';

// Bundled on its own (scripts/bundle.mjs) and started from its text, so a single-file executable
// has it too: it imports node:crypto, the HKDF, the derivation and the Montgomery map's field
// arithmetic, and none of the §1 checks' point arithmetic.

const { serverSecretKey } = workerData as AgreementWorkerData;
const ctx = createServerContext(nodeBackend, serverSecretKey);

/** Each key the daemon's thread has not claimed, in order: claim, derive, write, then say DONE. */
function derive(chunk: AgreementChunk): void {
  const { flags, keys } = chunk;
  const us = uncheckedEd25519PublicToX25519Many(
    Array.from({ length: flags.length }, (_, i) => keys.subarray(i * KEY_SIZE, (i + 1) * KEY_SIZE)),
  );
  for (let i = 0; i < flags.length; i++) {
    const u = us[i];
    if (!u) continue;
    if (Atomics.compareExchange(flags, i, SLOT.free, SLOT.worker) !== SLOT.free) continue;
    const outcome = deriveIntoSlot(ctx, chunk, i, u);
    Atomics.store(flags, i, outcome);
    Atomics.notify(flags, i);
  }
}

parentPort?.on('message', (chunk: AgreementChunk) => derive(chunk));
