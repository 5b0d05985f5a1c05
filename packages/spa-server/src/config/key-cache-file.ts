/** The key cache's file: its layout (magic, server key, build, entries, MAC), written and read. @module */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { KEY_SIZE, type KnownKey, rememberPrimeOrderPoint } from 'spa-protocol';
import type { Turns } from '../shared/turns.js';

/** Bumped whenever the layout or the meaning of an entry changes: a file of another version is rebuilt. */
const VERSION = 3;
const MAGIC_PREFIX = 'spa-keycache-v';
const MAGIC = new TextEncoder().encode(`${MAGIC_PREFIX}${VERSION}\n`);
// Client public key, tagKey, macKey, then one byte: 1 when the key passed §1's subgroup check.
const ENTRY_SIZE = 3 * KEY_SIZE + 1;
// The magic, the server's public key, the SHA-256 of the build that wrote it, the entries' count.
const BUILD_AT = MAGIC.length + KEY_SIZE;
const COUNT_AT = BUILD_AT + 32;
const HEAD_SIZE = COUNT_AT + 4;
const MAC_SIZE = 32;
/** More keys than any configuration can hold (server.json, authorized keys and clientsDir together). */
const MAX_ENTRIES = 300_000;
const MAC_SALT = new TextEncoder().encode(`spa-server key cache v${VERSION}`);
/** The most bytes a file may have: larger is not read. */
export const KEY_CACHE_MAX_BYTES = HEAD_SIZE + MAX_ENTRIES * ENTRY_SIZE + MAC_SIZE;

/** One key as the cache holds it. */
export interface KeyCacheEntry extends KnownKey {
  readonly publicKey: Uint8Array;
}

/** What a file must be bound to: the server's key, the build that reads it, and the MAC's key. */
export interface KeyCacheBinding {
  readonly serverPublic: Uint8Array;
  readonly build: Uint8Array;
  readonly macKey: Uint8Array;
}

/** The MAC's key, derived from the server's secret key: only its holder can write a file the daemon trusts. */
export function keyCacheMacKey(serverSecretKey: Uint8Array, serverPublic: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', serverSecretKey, MAC_SALT, serverPublic, 32));
}

/** Fills `entries` from a file's bytes, or says why the file cannot be trusted (entries then partly filled: discard them). */
export function decodeKeyCache(
  bytes: Uint8Array,
  binding: KeyCacheBinding,
  entries: Map<string, KeyCacheEntry>,
): string | undefined {
  const prefix = new TextEncoder().encode(MAGIC_PREFIX);
  if (bytes.length < MAGIC.length || !sameBytes(bytes.subarray(0, prefix.length), prefix)) {
    return 'not a key cache';
  }
  if (!sameBytes(bytes.subarray(0, MAGIC.length), MAGIC)) return `not version ${VERSION}`;
  if (bytes.length < HEAD_SIZE + MAC_SIZE) return 'truncated or damaged';
  const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(COUNT_AT);
  const end = HEAD_SIZE + count * ENTRY_SIZE;
  if (count > MAX_ENTRIES || bytes.length !== end + MAC_SIZE) return 'truncated or damaged';
  if (!sameBytes(bytes.subarray(MAGIC.length, MAGIC.length + KEY_SIZE), binding.serverPublic)) {
    return 'written for another server key';
  }
  if (!sameBytes(bytes.subarray(BUILD_AT, COUNT_AT), binding.build)) return 'written by another build';
  const mac = new Uint8Array(createHmac('sha256', binding.macKey).update(bytes.subarray(0, end)).digest());
  if (!timingSafeEqual(mac, bytes.subarray(end))) return 'checksum mismatch';
  // Views into the one buffer read: 30,000 small copies were a tenth of a large fleet's start in GC.
  for (let at = HEAD_SIZE; at < end; at += ENTRY_SIZE) {
    const publicKey = bytes.subarray(at, at + KEY_SIZE);
    const checked = bytes[at + 3 * KEY_SIZE] === 1;
    if (checked) rememberPrimeOrderPoint(publicKey);
    entries.set(keyCacheId(publicKey), {
      publicKey,
      secrets: {
        tagKey: bytes.subarray(at + KEY_SIZE, at + 2 * KEY_SIZE),
        macKey: bytes.subarray(at + 2 * KEY_SIZE, at + 3 * KEY_SIZE),
      },
      checked,
    });
  }
  return undefined;
}

/** The file's bytes for `entries`, its MAC made as they are written. */
export async function encodeKeyCache(
  entries: ReadonlyMap<string, KeyCacheEntry>,
  serverPublic: Uint8Array,
  build: Uint8Array,
  macKey: Uint8Array,
  turns: Turns,
): Promise<Uint8Array> {
  const bytes = new Uint8Array(HEAD_SIZE + entries.size * ENTRY_SIZE + MAC_SIZE);
  bytes.set(MAGIC);
  bytes.set(serverPublic, MAGIC.length);
  bytes.set(build, BUILD_AT);
  new DataView(bytes.buffer).setUint32(COUNT_AT, entries.size);
  const mac = createHmac('sha256', macKey);
  let macked = 0;
  let at = HEAD_SIZE;
  for (const { publicKey, secrets, checked } of entries.values()) {
    bytes.set(publicKey, at);
    bytes.set(secrets.tagKey, at + KEY_SIZE);
    bytes.set(secrets.macKey, at + 2 * KEY_SIZE);
    bytes[at + 3 * KEY_SIZE] = checked ? 1 : 0;
    at += ENTRY_SIZE;
    if (!turns.due()) continue;
    mac.update(bytes.subarray(macked, at));
    macked = at;
    await turns.pause();
  }
  mac.update(bytes.subarray(macked, at));
  bytes.set(mac.digest(), at);
  return bytes;
}

/** How entries are found: the key's exact bytes, in hex. */
export const keyCacheId = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
