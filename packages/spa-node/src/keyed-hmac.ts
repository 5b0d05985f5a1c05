/** HMAC-SHA256 as two one-shot hashes over pads in a shared scratch: mac2 per datagram under a prepared key, and one-off HMACs (client tags). @module */
import { createHmac, hash } from 'node:crypto';
import { bytesOfDigest } from './digest-text.js';

/*
 * Why not createHmac: every call makes an Hmac object backed by a native handle, which the garbage
 * collector must finalise, and fetches the digest again. Under a flood of datagrams that carry a
 * sniffed client tag, mac2 is the whole of the daemon's own work per datagram, and this form takes
 * 1.5–2.2 µs off the ~11 µs of CPU per datagram read (the real packet path behind a loopback socket,
 * flooded from the other core, alternated with createHmac; Node's receive path alone is 5.7 µs).
 * Taking the digests as text (digest-text.ts) then took the whole function from 2.1–3.1 to 0.95–1.0 µs
 * for a 244-byte message (a loop of 500,000 calls on one core).
 * RFC 2104's construction over node:crypto's hash() keeps OpenSSL's SHA-256; only the pads are ours,
 * made once per key.
 */

const BLOCK = 64;
const DIGEST = 32;
/** Longest message the scratch holds; a datagram is at most 1,200 bytes. Longer ones use createHmac. */
const SCRATCH_MESSAGE = 1536;

// One message at a time (hash() is synchronous), so every prepared key shares the scratch.
const innerInput = Buffer.alloc(BLOCK + SCRATCH_MESSAGE); // ipad ‖ message
const outerInput = Buffer.alloc(BLOCK + DIGEST); // opad ‖ inner digest
// innerInput's first BLOCK + n bytes, by n: hash() takes no length, and a view per call is garbage.
const innerViews: Buffer[] = [];

// A plain Uint8Array, as every backend returns: a Buffer's slice() would share memory.
const plain = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/**
 * The HMAC of `data`'s first `length` bytes (all of them by default) under `key`, same bytes as
 * createHmac. The key is read now: a later change to the array does not reach the returned function.
 */
export function keyedHmacSha256(key: Uint8Array): (data: Uint8Array, length?: number) => Uint8Array {
  const k = key.length > BLOCK ? hash('sha256', key, 'buffer') : key;
  const ipad = new Uint8Array(BLOCK).fill(0x36);
  const opad = new Uint8Array(BLOCK).fill(0x5c);
  for (let i = 0; i < k.length; i++) {
    ipad[i]! ^= k[i]!;
    opad[i]! ^= k[i]!;
  }
  const fallbackKey = Uint8Array.from(key);
  return (data, length = data.length) => {
    if (!Number.isInteger(length) || length < 0 || length > data.length) {
      throw new RangeError(`keyed HMAC: length ${length} outside 0..${data.length}`);
    }
    if (length > SCRATCH_MESSAGE) {
      return plain(createHmac('sha256', fallbackKey).update(data.subarray(0, length)).digest());
    }
    innerInput.set(ipad, 0);
    // The whole array when it fits (no view to make); bytes past `length` are not hashed.
    innerInput.set(data.length <= SCRATCH_MESSAGE ? data : data.subarray(0, length), BLOCK);
    outerInput.set(opad, 0);
    return padsToMac(length);
  };
}

/*
 * A one-off HMAC: a client's tag for one epoch is the only HMAC made under its tag key for a minute,
 * and a fleet's load makes 30,000 of them (10,000 clients, three epochs). createHmac cost 4–7 µs
 * each on the benchmark host (an Hmac object, a native handle to finalise), this ~2.5 µs.
 */

/** HMAC-SHA256(key, data), the bytes createHmac gives; the scratch is wiped after (the pads derive from the key). */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length > SCRATCH_MESSAGE) return plain(createHmac('sha256', key).update(data).digest());
  const k = key.length > BLOCK ? hash('sha256', key, 'buffer') : key;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i < k.length ? k[i]! : 0;
    innerInput[i] = byte ^ 0x36;
    outerInput[i] = byte ^ 0x5c;
  }
  innerInput.set(data, BLOCK);
  const mac = padsToMac(data.length);
  innerInput.fill(0, 0, BLOCK + data.length);
  outerInput.fill(0);
  return mac;
}

/** The MAC once innerInput holds ipad ‖ `length` bytes of message and outerInput holds opad. */
function padsToMac(length: number): Uint8Array {
  let view = innerViews[length];
  if (!view) {
    view = innerInput.subarray(0, BLOCK + length);
    innerViews[length] = view;
  }
  outerInput.write(hash('sha256', view, 'binary'), BLOCK, DIGEST, 'latin1');
  return bytesOfDigest(hash('sha256', outerInput, 'binary'));
}
