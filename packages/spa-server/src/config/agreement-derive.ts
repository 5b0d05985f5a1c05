/** One key's agreement written into its chunk's shared slot: the same steps on the worker and on the daemon's thread. @module */
import { agreedClientSecrets, KEY_SIZE, type ServerContext } from 'spa-protocol';
import { type AgreementChunk, SLOT, SLOT_SECRETS_SIZE } from './agreement-slots.js';

/**
 * Derives key `i` of `chunk` (already claimed by the caller) from its Montgomery u and writes its
 * secrets into the slot; returns the flag to store: DONE, or FAILED for a key whose agreement fails
 * (the table then derives it itself and reports what is wrong with it). Wipes the intermediate copies.
 */
export function deriveIntoSlot(ctx: ServerContext, chunk: AgreementChunk, i: number, u: Uint8Array): number {
  try {
    const derived = agreedClientSecrets(ctx, chunk.keys.subarray(i * KEY_SIZE, (i + 1) * KEY_SIZE), u);
    if (!derived) return SLOT.failed;
    chunk.secrets.set(derived.tagKey, i * SLOT_SECRETS_SIZE);
    chunk.secrets.set(derived.macKey, i * SLOT_SECRETS_SIZE + KEY_SIZE);
    derived.tagKey.fill(0);
    derived.macKey.fill(0);
    return SLOT.done;
  } catch {
    return SLOT.failed;
  }
}
