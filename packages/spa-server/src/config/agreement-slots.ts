/** What the daemon's thread and its agreement worker share for each key: a claim flag and the secrets' bytes. @module */
import { KEY_SIZE } from 'spa-protocol';

/**
 * Each key's flag (an Int32Array over a SharedArrayBuffer). Whoever moves it from FREE first makes
 * the key's agreement, so no key is derived twice: the worker (WORKER, then DONE or FAILED) or the
 * daemon's thread (MAIN: derived by the table, or, taken from the far end while the worker makes
 * the key the table needs, written here too and then DONE or FAILED).
 */
export const SLOT = { free: 0, main: 1, worker: 2, done: 3, failed: 4 } as const;

/** tagKey ‖ macKey, 32 bytes each, at 64 × the key's index in the chunk. */
export const SLOT_SECRETS_SIZE = 64;

/** One chunk of keys handed to the worker: the flags and secrets are shared, the keys copied. */
export interface AgreementChunk {
  /** One flag per key (SLOT). */
  readonly flags: Int32Array;
  /** Written by whichever thread derived the key before it stores DONE; wiped after the build. */
  readonly secrets: Uint8Array;
  /** The Ed25519 keys, 32 bytes each, past §1's byte checks: the worker maps each to its Montgomery u. */
  readonly keys: Uint8Array;
}

/** A key's name in the daemon's maps of offered and handed keys: its bytes in hex. */
export const idOf = (key: Uint8Array): string =>
  Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex');

/** A chunk for these keys (32 bytes each), every flag FREE: shared flags and secrets, the keys copied. */
export function newChunk(keys: readonly Uint8Array[]): AgreementChunk {
  const n = keys.length;
  const chunk: AgreementChunk = {
    flags: new Int32Array(new SharedArrayBuffer(4 * n)),
    secrets: new Uint8Array(new SharedArrayBuffer(SLOT_SECRETS_SIZE * n)),
    keys: new Uint8Array(KEY_SIZE * n),
  };
  keys.forEach((key, i) => {
    chunk.keys.set(key, KEY_SIZE * i);
  });
  return chunk;
}

/** What the worker is started with (workerData): the server's X25519 secret key, a copy for the worker. */
export interface AgreementWorkerData {
  readonly serverSecretKey: Uint8Array;
}
