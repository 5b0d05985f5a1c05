/** The key cache in stateDir: each client key's §1 verdict and §6.1 secrets, kept across restarts, bound to the server key. @module */
import { hash } from 'node:crypto';
import { join } from 'node:path';
import { nodeBackend } from 'spa-node';
import {
  type KeyRecord,
  type KnownKey,
  parseClientPublicKeyDeferred,
  type SubgroupCheck,
} from 'spa-protocol';
import { readOwnFile } from '../shared/read-own-file.js';
import { replaceFile } from '../shared/replace-file.js';
import { Turns } from '../shared/turns.js';
import { AGREEMENT_WORKER_SOURCE } from './agreements-ahead.js';
import { AheadLoads } from './ahead-loads.js';
import {
  decodeKeyCache,
  encodeKeyCache,
  KEY_CACHE_MAX_BYTES,
  type KeyCacheEntry,
  keyCacheId,
  keyCacheMacKey,
  sameBytes,
} from './key-cache-file.js';

/** The file's name in stateDir. */
export const KEY_CACHE_FILE = 'client-keys.cache';
/** What `open` found: how many keys it trusts, or why it ignored the file (rewritten at the next save). */
export interface KeyCacheOpened {
  readonly loaded: number;
  readonly ignored?: string | undefined;
  /** Already open for this stateDir and server key: nothing was read. */
  readonly again?: boolean;
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
  #entries = new Map<string, KeyCacheEntry>();
  /** What the file holds (key → passed §1), to skip writes that would change nothing; undefined: write at the next save. */
  #saved: Map<string, boolean> | undefined;
  /**
   * The records of the last save and their verdicts then: a reload hands the same objects for keys
   * it kept, so an unchanged fleet is recognised without hex-encoding 10,000 keys on the packet
   * path's thread.
   */
  #lastRecords = new Map<KeyRecord, SubgroupCheck>();
  /** Each load's agreements made ahead (ahead-loads.ts): started, finished and told by the load and the daemon. */
  readonly ahead: AheadLoads;

  /**
   * `build`: the daemon's version and code; run from the sources (undefined) the file is bound to
   * its format alone. `owner`: the user the file must belong to (default: the daemon's own).
   */
  constructor(
    build: string | undefined = undefined,
    owner: number | undefined = process.getuid?.(),
    /** The agreement worker's text; without it every key no cache holds is derived on this thread. */
    aheadSource: string | undefined = AGREEMENT_WORKER_SOURCE,
  ) {
    this.#build = new Uint8Array(hash('sha256', build ?? '', 'buffer'));
    this.#owner = owner;
    this.ahead = new AheadLoads(aheadSource);
  }

  /** A configured key's text, as soon as it is read: a key the file does not hold may be derived ahead. */
  offer(publicKeyText: string): void {
    if (!this.ahead.active) return;
    let publicKey: Uint8Array;
    try {
      publicKey = parseClientPublicKeyDeferred(publicKeyText);
    } catch {
      return; // the load reports it
    }
    if (this.#entries.size === 0 || !this.#entries.has(keyCacheId(publicKey))) this.ahead.offer(publicKey);
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
    this.#macKey = keyCacheMacKey(serverSecretKey, serverPublic);
    this.#entries = new Map();
    this.#saved = undefined;
    this.#lastRecords = new Map();
    const read = await readOwnFile(join(dir, KEY_CACHE_FILE), this.#owner, KEY_CACHE_MAX_BYTES);
    if (read.ignored !== undefined || !read.bytes) return { loaded: 0, ignored: read.ignored };
    const ignored = decodeKeyCache(
      read.bytes,
      { serverPublic, build: this.#build, macKey: this.#macKey },
      this.#entries,
    );
    if (ignored) {
      this.#entries = new Map();
      return { loaded: 0, ignored };
    }
    this.#saved = savedOf(this.#entries);
    return { loaded: this.#entries.size };
  }

  /** Whether `known` would give secrets for these bytes, without claiming or waiting for a key the worker holds. */
  knows(publicKey: Uint8Array): boolean {
    if (this.#entries.size > 0 && this.#entries.has(keyCacheId(publicKey))) return true;
    return this.ahead.knows(publicKey);
  }

  /**
   * What the file holds for these exact key bytes (secrets and §1 verdict), or what a worker derived
   * ahead for them in the load under way (not checked); undefined for a key to derive.
   */
  known(publicKey: Uint8Array): KnownKey | undefined {
    // A first start's cache is empty: 10,000 hex encodings spared.
    const entry = this.#entries.size === 0 ? undefined : this.#entries.get(keyCacheId(publicKey));
    if (entry || !this.ahead.active) return entry;
    const secrets = this.ahead.known(publicKey);
    return secrets && { secrets, checked: false };
  }

  /**
   * Keeps exactly the keys given (a removed client leaves the file too) and writes the file when a
   * key or a verdict changed. Atomic: a temporary file (0600), then a rename. A refused key is kept
   * as unchecked: the next start checks it again and reports it again.
   *
   * `keysServerPublic` is the server key the records' secrets were derived for (the runtime's). When
   * it is not the key the cache is bound to, nothing is saved: a reload with a new server key binds
   * the cache (open) before it may fail, and the runtime still in force would otherwise be saved
   * under the new key's MAC, its secrets trusted by the next start, and every client locked out.
   */
  async save(keys: Iterable<KeyRecord>, keysServerPublic: Uint8Array): Promise<void> {
    const dir = this.#dir;
    const macKey = this.#macKey;
    const serverPublic = this.#serverPublic;
    if (dir === undefined || !macKey || !serverPublic) return;
    // Public keys: no need for a constant-time comparison.
    if (!sameBytes(serverPublic, keysServerPublic)) return;
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
    const next = new Map<string, KeyCacheEntry>();
    const verdicts = new Map<string, boolean>();
    for (const [{ publicKey, secrets }, check] of records) {
      const key = keyCacheId(publicKey);
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
      const bytes = await encodeKeyCache(next, serverPublic, this.#build, macKey, turns);
      await replaceFile(join(dir, KEY_CACHE_FILE), bytes);
      if (this.#macKey !== macKey) return;
      this.#saved = verdicts;
    }
    // Only once the file holds them: a failed write is tried again at the next save.
    this.#lastRecords = records;
  }
}

const savedOf = (entries: ReadonlyMap<string, KeyCacheEntry>): Map<string, boolean> =>
  new Map([...entries].map(([k, e]) => [k, e.checked]));
