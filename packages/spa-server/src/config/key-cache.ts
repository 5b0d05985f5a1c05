/** The key cache in stateDir: each client key's §1 verdict and §6.1 secrets, kept across restarts, bound to the server key. @module */
import { createHmac, hash, hkdfSync, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { nodeBackend } from 'spa-node';
import {
  KEY_SIZE,
  type KeyRecord,
  type KnownKey,
  rememberPrimeOrderPoint,
  type SubgroupCheck,
} from 'spa-protocol';
import { readOwnFile } from '../shared/read-own-file.js';
import { replaceFile } from '../shared/replace-file.js';
import { Turns } from '../shared/turns.js';

/** The file's name in stateDir. */
export const KEY_CACHE_FILE = 'client-keys.cache';
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

/** What `open` found: how many keys it trusts, or why it ignored the file (rewritten at the next save). */
export interface KeyCacheOpened {
  readonly loaded: number;
  readonly ignored?: string | undefined;
  /** Already open for this stateDir and server key: nothing was read. */
  readonly again?: boolean;
}

/** One key as the cache holds it. */
interface Entry extends KnownKey {
  readonly publicKey: Uint8Array;
}

/**
 * A restart would otherwise repeat, for every key, the key agreement (one X25519 and two HKDF) and
 * the subgroup check (a pure-JS scalar multiplication, milliseconds each). Every configured key is
 * stored with its secrets and whether it passed §1's check, so a key still unchecked when the daemon
 * stopped costs its check again, but not its agreement. Entries are found by the key's exact bytes.
 * The file holds secret material (it is as sensitive as the server key): mode 0600 in stateDir, owned
 * by the daemon's user, never logged. It is trusted only when its MAC, keyed from the server's
 * secret key, verifies: a corrupt file, one of another version, one written for another server key,
 * one owned by another user or with a loosened mode is ignored and rebuilt, never used. So is one
 * written by another build (version and code, cli/version.ts BUILD_ID): a verdict is only as good as
 * the check that made it, and a later build may check more, or derive otherwise.
 */
export class KeyCache {
  readonly #owner: number | undefined;
  readonly #build: Uint8Array;
  #dir: string | undefined;
  #serverPublic: Uint8Array | undefined;
  #macKey: Uint8Array | undefined;
  #entries = new Map<string, Entry>();
  /** What the file holds (key → passed §1), to skip writes that would change nothing; undefined: write at the next save. */
  #saved: Map<string, boolean> | undefined;
  /**
   * The records of the last save and their verdicts then: a reload hands the same objects for keys
   * it kept, so an unchanged fleet is recognised without hex-encoding 10,000 keys on the packet
   * path's thread.
   */
  #lastRecords = new Map<KeyRecord, SubgroupCheck>();

  /**
   * `build`: the daemon's version and code; run from the sources (undefined) the file is bound to
   * its format alone. `owner`: the user the file must belong to (default: the daemon's own).
   */
  constructor(build: string | undefined = undefined, owner: number | undefined = process.getuid?.()) {
    this.#build = new Uint8Array(hash('sha256', build ?? '', 'buffer'));
    this.#owner = owner;
  }

  #notice: KeyCacheOpened | undefined;

  /** What the last open that read the file found, once: for the one log line a start or a new server key gives. */
  takeNotice(): KeyCacheOpened | undefined {
    const notice = this.#notice;
    this.#notice = undefined;
    return notice;
  }

  /** Reads stateDir's cache for this server key, once per (dir, key); seeds the §1 verdicts. */
  async open(dir: string, serverSecretKey: Uint8Array): Promise<KeyCacheOpened> {
    this.#notice = await this.#open(dir, serverSecretKey);
    return this.#notice;
  }

  async #open(dir: string, serverSecretKey: Uint8Array): Promise<KeyCacheOpened> {
    const serverPublic = nodeBackend.x25519PublicKey(serverSecretKey);
    if (this.#dir === dir && this.#serverPublic && sameBytes(this.#serverPublic, serverPublic)) {
      return { loaded: this.#entries.size, again: true };
    }
    this.#dir = dir;
    this.#serverPublic = serverPublic;
    this.#macKey = new Uint8Array(hkdfSync('sha256', serverSecretKey, MAC_SALT, serverPublic, 32));
    this.#entries = new Map();
    this.#saved = undefined;
    this.#lastRecords = new Map();
    const read = await readOwnFile(
      join(dir, KEY_CACHE_FILE),
      this.#owner,
      HEAD_SIZE + MAX_ENTRIES * ENTRY_SIZE + MAC_SIZE,
    );
    if (read.ignored !== undefined || !read.bytes) return { loaded: 0, ignored: read.ignored };
    const ignored = this.#decode(read.bytes);
    if (ignored) {
      this.#entries = new Map();
      return { loaded: 0, ignored };
    }
    this.#saved = savedOf(this.#entries);
    return { loaded: this.#entries.size };
  }

  /** What the file holds for these exact key bytes: secrets and §1 verdict; undefined for an unknown key. */
  known(publicKey: Uint8Array): KnownKey | undefined {
    return this.#entries.get(hexOf(publicKey));
  }

  /**
   * Keeps exactly the keys given (a removed client leaves the file too) and writes the file when a
   * key or a verdict changed. Atomic: a temporary file (0600), then a rename. A refused key is kept
   * as unchecked: the next start checks it again and reports it again.
   */
  async save(keys: Iterable<KeyRecord>): Promise<void> {
    const dir = this.#dir;
    const macKey = this.#macKey;
    const serverPublic = this.#serverPublic;
    if (dir === undefined || !macKey || !serverPublic) return;
    // In slices: a save follows every reload, and a fleet's 10,000 keys in one piece stalled the
    // packet path's thread for tens of milliseconds.
    const turns = new Turns();
    const records = new Map<KeyRecord, SubgroupCheck>();
    let same = this.#saved !== undefined;
    for (const record of keys) {
      records.set(record, record.check);
      same &&= this.#lastRecords.get(record) === record.check;
      if (turns.due()) await turns.pause();
    }
    if (same && records.size === this.#lastRecords.size) return;
    const next = new Map<string, Entry>();
    const verdicts = new Map<string, boolean>();
    for (const [{ publicKey, secrets }, check] of records) {
      const key = hexOf(publicKey);
      next.set(key, { publicKey, secrets, checked: check === 'passed' });
      verdicts.set(key, check === 'passed');
      if (turns.due()) await turns.pause();
    }
    // The same keys and verdicts as the file (a start on an up-to-date cache): nothing to write.
    const saved = this.#saved;
    let unchanged = saved?.size === verdicts.size;
    for (const [key, checked] of verdicts) {
      if (!unchanged) break;
      unchanged = saved?.get(key) === checked;
      if (turns.due()) await turns.pause();
    }
    if (this.#macKey !== macKey) return; // opened meanwhile for another stateDir or server key
    this.#entries = next;
    if (!unchanged) {
      const bytes = await encode(next, serverPublic, this.#build, macKey, turns);
      await replaceFile(join(dir, KEY_CACHE_FILE), bytes);
      if (this.#macKey !== macKey) return;
      this.#saved = verdicts;
    }
    // Only once the file holds them: a failed write is tried again at the next save.
    this.#lastRecords = records;
  }

  /** Fills the entries from a file, or says why it cannot be trusted. */
  #decode(bytes: Uint8Array): string | undefined {
    const prefix = new TextEncoder().encode(MAGIC_PREFIX);
    if (bytes.length < MAGIC.length || !sameBytes(bytes.subarray(0, prefix.length), prefix)) {
      return 'not a key cache';
    }
    if (!sameBytes(bytes.subarray(0, MAGIC.length), MAGIC)) return `not version ${VERSION}`;
    if (bytes.length < HEAD_SIZE + MAC_SIZE) return 'truncated or damaged';
    const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(COUNT_AT);
    const end = HEAD_SIZE + count * ENTRY_SIZE;
    if (count > MAX_ENTRIES || bytes.length !== end + MAC_SIZE) return 'truncated or damaged';
    if (!sameBytes(bytes.subarray(MAGIC.length, MAGIC.length + KEY_SIZE), this.#serverPublic!)) {
      return 'written for another server key';
    }
    if (!sameBytes(bytes.subarray(BUILD_AT, COUNT_AT), this.#build)) return 'written by another build';
    if (!timingSafeEqual(this.#mac(bytes.subarray(0, end)), bytes.subarray(end))) return 'checksum mismatch';
    // Views into the one buffer read: 30,000 small copies were a tenth of a large fleet's start in GC.
    for (let at = HEAD_SIZE; at < end; at += ENTRY_SIZE) {
      const publicKey = bytes.subarray(at, at + KEY_SIZE);
      const checked = bytes[at + 3 * KEY_SIZE] === 1;
      if (checked) rememberPrimeOrderPoint(publicKey);
      this.#entries.set(hexOf(publicKey), {
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

  #mac(data: Uint8Array): Uint8Array {
    return new Uint8Array(createHmac('sha256', this.#macKey!).update(data).digest());
  }
}

/** The file's bytes for `entries`, its MAC made as they are written. */
async function encode(
  entries: ReadonlyMap<string, Entry>,
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

const savedOf = (entries: ReadonlyMap<string, Entry>): Map<string, boolean> =>
  new Map([...entries].map(([k, e]) => [k, e.checked]));

const hexOf = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
