/** The key cache in stateDir: each client key's §1 verdict and §6.1 secrets, kept across restarts, bound to the server key. @module */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeBackend } from 'spa-node';
import { type ClientSecrets, KEY_SIZE, rememberPrimeOrderPoint } from 'spa-protocol';
import { replaceFile } from '../shared/replace-file.js';

/** The file's name in stateDir. */
export const KEY_CACHE_FILE = 'client-keys.cache';
const MAGIC = new TextEncoder().encode('spa-keycache-v1\n');
const ENTRY_SIZE = 3 * KEY_SIZE; // client public key, tagKey, macKey
const HEAD_SIZE = MAGIC.length + KEY_SIZE + 4;
const MAC_SIZE = 32;
/** More keys than any configuration can hold (server.json, authorized keys and clientsDir together). */
const MAX_ENTRIES = 300_000;
const MAC_SALT = new TextEncoder().encode('spa-server key cache v1');

/** What `open` found: how many keys it trusts, or why it ignored the file (rewritten at the next save). */
export interface KeyCacheOpened {
  readonly loaded: number;
  readonly ignored?: string | undefined;
  /** Already open for this stateDir and server key: nothing was read. */
  readonly again?: boolean;
}

/**
 * A restart would otherwise repeat, for every key, the subgroup check (a pure-JS scalar
 * multiplication, milliseconds each) and the key agreement. Only keys with a verdict are stored, so
 * an entry says "passed §1, and these are its secrets". The file holds secret material (it is as
 * sensitive as the server key): mode 0600 in stateDir, never logged. It is trusted only when its
 * MAC, keyed from the server's secret key, verifies: a corrupt file, one written for another server
 * key or one with a loosened mode is ignored and rebuilt, never used.
 */
export class KeyCache {
  #dir: string | undefined;
  #serverPublic: Uint8Array | undefined;
  #macKey: Uint8Array | undefined;
  #entries = new Map<string, ClientSecrets>();
  /** The keys the file holds, to skip writes that would change nothing; undefined: write at the next save. */
  #saved: Set<string> | undefined;

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
    const path = join(dir, KEY_CACHE_FILE);
    let bytes: Uint8Array;
    try {
      const info = await stat(path);
      if (!info.isFile()) return { loaded: 0, ignored: 'not a regular file' };
      if (info.mode & 0o077) return { loaded: 0, ignored: 'readable or writable by others (not 0600)' };
      if (info.size > HEAD_SIZE + MAX_ENTRIES * ENTRY_SIZE + MAC_SIZE)
        return { loaded: 0, ignored: 'too large' };
      bytes = await readFile(path);
    } catch (cause) {
      const code = (cause as { code?: string } | null)?.code;
      return code === 'ENOENT' ? { loaded: 0 } : { loaded: 0, ignored: `cannot read (${code ?? 'error'})` };
    }
    const ignored = this.#decode(new Uint8Array(bytes));
    if (ignored) return { loaded: 0, ignored };
    this.#saved = new Set(this.#entries.keys());
    return { loaded: this.#entries.size };
  }

  /** The secrets stored for a key, which passed §1 when they were stored; undefined for an unknown key. */
  known(publicKey: Uint8Array): ClientSecrets | undefined {
    return this.#entries.get(hexOf(publicKey));
  }

  /**
   * Keeps exactly the keys given (a removed client leaves the file too) and writes the file when
   * that set changed. Atomic: a temporary file (0600), then a rename.
   */
  async save(
    keys: Iterable<{ readonly publicKey: Uint8Array; readonly secrets: ClientSecrets }>,
  ): Promise<void> {
    const dir = this.#dir;
    if (dir === undefined || !this.#macKey || !this.#serverPublic) return;
    const next = new Map<string, ClientSecrets>();
    for (const { publicKey, secrets } of keys) next.set(hexOf(publicKey), secrets);
    this.#entries = next;
    const saved = this.#saved;
    if (saved && next.size === saved.size && [...next.keys()].every((k) => saved.has(k))) return;
    const bytes = this.#encode();
    await replaceFile(join(dir, KEY_CACHE_FILE), bytes);
    this.#saved = new Set(next.keys());
  }

  #encode(): Uint8Array {
    const bytes = new Uint8Array(HEAD_SIZE + this.#entries.size * ENTRY_SIZE + MAC_SIZE);
    bytes.set(MAGIC);
    bytes.set(this.#serverPublic!, MAGIC.length);
    new DataView(bytes.buffer).setUint32(MAGIC.length + KEY_SIZE, this.#entries.size);
    let at = HEAD_SIZE;
    for (const [hex, secrets] of this.#entries) {
      bytes.set(Buffer.from(hex, 'hex'), at);
      bytes.set(secrets.tagKey, at + KEY_SIZE);
      bytes.set(secrets.macKey, at + 2 * KEY_SIZE);
      at += ENTRY_SIZE;
    }
    bytes.set(this.#mac(bytes.subarray(0, at)), at);
    return bytes;
  }

  /** Fills the entries from a file, or says why it cannot be trusted. */
  #decode(bytes: Uint8Array): string | undefined {
    if (bytes.length < HEAD_SIZE + MAC_SIZE || !sameBytes(bytes.subarray(0, MAGIC.length), MAGIC)) {
      return 'not a key cache';
    }
    const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length + KEY_SIZE);
    const end = HEAD_SIZE + count * ENTRY_SIZE;
    if (count > MAX_ENTRIES || bytes.length !== end + MAC_SIZE) return 'truncated or damaged';
    if (!sameBytes(bytes.subarray(MAGIC.length, MAGIC.length + KEY_SIZE), this.#serverPublic!)) {
      return 'written for another server key';
    }
    if (!timingSafeEqual(this.#mac(bytes.subarray(0, end)), bytes.subarray(end))) return 'checksum mismatch';
    for (let at = HEAD_SIZE; at < end; at += ENTRY_SIZE) {
      const publicKey = bytes.slice(at, at + KEY_SIZE);
      rememberPrimeOrderPoint(publicKey);
      this.#entries.set(hexOf(publicKey), {
        tagKey: bytes.slice(at + KEY_SIZE, at + 2 * KEY_SIZE),
        macKey: bytes.slice(at + 2 * KEY_SIZE, at + ENTRY_SIZE),
      });
    }
    return undefined;
  }

  #mac(data: Uint8Array): Uint8Array {
    return new Uint8Array(createHmac('sha256', this.#macKey!).update(data).digest());
  }
}

const hexOf = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
