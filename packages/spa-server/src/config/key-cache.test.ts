/** The key cache: what a restart finds again, and every way a file is refused rather than trusted. */
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBackend } from 'spa-node';
import {
  type ClientSecrets,
  clientSecretsFromServerKey,
  formatPublicKey,
  generateKeyPair,
  type KeyRecord,
  type SubgroupCheck,
} from 'spa-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementWorkerSource } from '../../test/agreement-worker-source.js';
import { KEY_CACHE_FILE, KeyCache } from './key-cache.js';

const server = generateKeyPair(nodeBackend, 'server');
const otherServer = generateKeyPair(nodeBackend, 'server');
const keys = Array.from({ length: 3 }, () => generateKeyPair(nodeBackend, 'client').publicKey);
const secretsOf = (publicKey: Uint8Array): ClientSecrets =>
  clientSecretsFromServerKey(nodeBackend, server.secretKey, server.publicKey, publicKey)!;
const entries = (list: Uint8Array[], check: SubgroupCheck = 'passed'): KeyRecord[] =>
  list.map((publicKey) => ({ publicKey, secrets: secretsOf(publicKey), check }));
const checked = (publicKey: Uint8Array) => ({ publicKey, secrets: secretsOf(publicKey), checked: true });

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'spa-key-cache-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A stateDir holding a cache of `list` written for `server`. */
async function savedDir(list: Uint8Array[] = keys): Promise<string> {
  const dir = join(root, `s${n++}`);
  await mkdir(dir, { mode: 0o700 });
  const cache = new KeyCache();
  await cache.open(dir, server.secretKey);
  await cache.save(entries(list), server.publicKey);
  return dir;
}

describe('KeyCache', () => {
  it("gives a restart each key's secrets back, from a file only the owner can read", async () => {
    const dir = await savedDir();
    expect((await stat(join(dir, KEY_CACHE_FILE))).mode & 0o777).toBe(0o600);
    const restarted = new KeyCache();
    expect(await restarted.open(dir, server.secretKey)).toEqual({ loaded: 3 });
    for (const key of keys) expect(restarted.known(key)).toEqual(checked(key));
    expect(restarted.known(generateKeyPair(nodeBackend, 'client').publicKey)).toBeUndefined();
  });

  it('follows the configured keys: a changed key is added, a removed one forgotten', async () => {
    const dir = await savedDir();
    const added = generateKeyPair(nodeBackend, 'client').publicKey;
    const cache = new KeyCache();
    await cache.open(dir, server.secretKey);
    await cache.save(entries([keys[0]!, added]), server.publicKey);
    const restarted = new KeyCache();
    expect(await restarted.open(dir, server.secretKey)).toEqual({ loaded: 2 });
    expect(restarted.known(added)).toEqual(checked(added));
    expect(restarted.known(keys[1]!)).toBeUndefined();
  });

  it('does not rewrite the file when the keys are the same', async () => {
    const dir = await savedDir();
    const before = (await stat(join(dir, KEY_CACHE_FILE))).ino;
    const cache = new KeyCache();
    await cache.open(dir, server.secretKey);
    await cache.save(entries([...keys].reverse()), server.publicKey);
    expect((await stat(join(dir, KEY_CACHE_FILE))).ino).toBe(before);
  });

  it('ignores a cache written for another server key, and rebuilds it for the new one', async () => {
    const dir = await savedDir();
    const cache = new KeyCache();
    expect(await cache.open(dir, otherServer.secretKey)).toEqual({
      loaded: 0,
      ignored: 'written for another server key',
    });
    expect(cache.known(keys[0]!)).toBeUndefined();
    await cache.save([], otherServer.publicKey);
    expect(await new KeyCache().open(dir, otherServer.secretKey)).toEqual({ loaded: 0 });
  });

  it('never saves secrets derived for another server key: a reload that failed after binding the cache to a new key poisons nothing', async () => {
    const secretsUnder = (pair: typeof server, publicKey: Uint8Array): ClientSecrets =>
      clientSecretsFromServerKey(nodeBackend, pair.secretKey, pair.publicKey, publicKey)!;
    const dir = await savedDir(); // a start with key A (`server`): the table in force is built with A
    const cache = new KeyCache();
    await cache.open(dir, server.secretKey);
    const runtimeA = entries(keys);
    // A reload with key B opens (binds) the cache for B, then fails: the runtime in force keeps A's table.
    await cache.open(dir, otherServer.secretKey);
    // The background key checks, or the save after a reload, then save that runtime's records.
    await cache.save(runtimeA, server.publicKey);
    // A restart with B takes no secret derived with A: it derives every key with B.
    const restarted = new KeyCache();
    expect(await restarted.open(dir, otherServer.secretKey)).toEqual({
      loaded: 0,
      ignored: 'written for another server key',
    });
    for (const key of keys) expect(restarted.known(key)).toBeUndefined();
    // The runtime built with B, once in force, is saved; its restart takes B's derivation.
    const runtimeB = keys.map((publicKey) => ({
      publicKey,
      secrets: secretsUnder(otherServer, publicKey),
      check: 'passed' as const,
    }));
    await restarted.save(runtimeB, otherServer.publicKey);
    const again = new KeyCache();
    expect(await again.open(dir, otherServer.secretKey)).toEqual({ loaded: 3 });
    for (const key of keys) {
      expect(again.known(key)?.secrets.tagKey).toEqual(secretsUnder(otherServer, key).tagKey);
      expect(again.known(key)?.secrets.tagKey).not.toEqual(secretsOf(key).tagKey);
    }
  });

  it('ignores a cache written by another build: its verdicts were made by that build’s checks', async () => {
    const dir = join(root, `s${n++}`);
    await mkdir(dir, { mode: 0o700 });
    const older = new KeyCache('0.1.0+aaaa');
    await older.open(dir, server.secretKey);
    await older.save(entries(keys), server.publicKey);
    expect(await new KeyCache('0.1.0+aaaa').open(dir, server.secretKey)).toEqual({ loaded: 3 });
    const newer = new KeyCache('0.1.0+bbbb');
    expect(await newer.open(dir, server.secretKey)).toEqual({
      loaded: 0,
      ignored: 'written by another build',
    });
    expect(newer.known(keys[0]!)).toBeUndefined();
  });

  it('ignores a damaged, truncated, foreign or loosened file: never trusted, never a crash', async () => {
    const cases: [string, (path: string) => Promise<void>][] = [
      [
        'checksum mismatch',
        async (p) => {
          const bytes = await readFile(p);
          bytes[132]! ^= 1; // inside the first entry's secrets
          await writeFile(p, bytes);
        },
      ],
      ['truncated or damaged', async (p) => writeFile(p, (await readFile(p)).subarray(0, 200))],
      ['not a key cache', async (p) => writeFile(p, 'hello')],
      ['readable or writable by others (not 0600)', async (p) => chmod(p, 0o644)],
      ['readable or writable by others (not 0600)', async (p) => chmod(p, 0o620)],
      [
        'a symbolic link',
        async (p) => {
          await writeFile(`${p}.real`, await readFile(p), { mode: 0o600 });
          await rm(p);
          await symlink(`${p}.real`, p);
        },
      ],
      // Each entry's bytes are under the MAC: a key changed in the file is a damaged file.
      [
        'checksum mismatch',
        async (p) => {
          const bytes = await readFile(p);
          bytes[84]! ^= 1; // the first entry's client key
          await writeFile(p, bytes);
        },
      ],
      [
        'checksum mismatch',
        async (p) => {
          const bytes = await readFile(p);
          bytes[84 + 96]! ^= 1; // the first entry's verdict
          await writeFile(p, bytes);
        },
      ],
    ];
    for (const [reason, damage] of cases) {
      const dir = await savedDir();
      await damage(join(dir, KEY_CACHE_FILE));
      const cache = new KeyCache();
      expect(await cache.open(dir, server.secretKey), reason).toEqual({ loaded: 0, ignored: reason });
      expect(cache.known(keys[0]!)).toBeUndefined();
    }
  });

  it('keeps the secrets of keys not yet checked, without their verdict: a restart derives nothing and checks them again', async () => {
    const dir = join(root, `s${n++}`);
    await mkdir(dir, { mode: 0o700 });
    const fresh = Array.from({ length: 2 }, () => generateKeyPair(nodeBackend, 'client').publicKey);
    const cache = new KeyCache();
    await cache.open(dir, server.secretKey);
    await cache.save(
      [...entries([fresh[0]!], 'pending'), ...entries([fresh[1]!], 'refused')],
      server.publicKey,
    );
    const restarted = new KeyCache();
    expect(await restarted.open(dir, server.secretKey)).toEqual({ loaded: 2 });
    for (const key of fresh) {
      expect(restarted.known(key)).toEqual({ publicKey: key, secrets: secretsOf(key), checked: false });
    }
    // Checked later: the verdict alone changed, and is written.
    await restarted.save(entries(fresh), server.publicKey);
    const again = new KeyCache();
    await again.open(dir, server.secretKey);
    expect(again.known(fresh[0]!)).toEqual(checked(fresh[0]!));
  });

  it('finds a key by its exact bytes only: a key one bit away is unknown', async () => {
    const dir = await savedDir();
    const cache = new KeyCache();
    await cache.open(dir, server.secretKey);
    const near = keys[0]!.slice();
    near[0]! ^= 1;
    expect(cache.known(near)).toBeUndefined();
  });

  it('ignores a cache of another version, and one owned by another user', async () => {
    const old = await savedDir();
    const path = join(old, KEY_CACHE_FILE);
    const bytes = await readFile(path);
    bytes.set(new TextEncoder().encode('spa-keycache-v1\n'));
    await writeFile(path, bytes);
    expect(await new KeyCache().open(old, server.secretKey)).toEqual({ loaded: 0, ignored: 'not version 3' });
    const uid = process.getuid?.() ?? 0;
    const foreign = new KeyCache(undefined, uid + 1);
    expect(await foreign.open(await savedDir(), server.secretKey)).toEqual({
      loaded: 0,
      ignored: `owned by another user (uid ${uid})`,
    });
    expect(foreign.known(keys[0]!)).toBeUndefined();
  });

  it('saves a fleet in slices that let timers run, in a file whose MAC a restart verifies', async () => {
    const dir = join(root, `s${n++}`);
    await mkdir(dir, { mode: 0o700 });
    const random = (): Uint8Array => crypto.getRandomValues(new Uint8Array(32));
    const fleet: KeyRecord[] = Array.from({ length: 10_000 }, (_, i) => ({
      publicKey: random(),
      secrets: { tagKey: random(), macKey: random() },
      check: i % 2 === 0 ? 'passed' : 'pending',
    }));
    const cache = new KeyCache();
    await cache.open(dir, server.secretKey);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await cache.save(fleet, server.publicKey);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    const restarted = new KeyCache();
    expect(await restarted.open(dir, server.secretKey)).toEqual({ loaded: 10_000 });
    const last = fleet.at(-1)!;
    expect(restarted.known(last.publicKey)).toEqual({
      publicKey: last.publicKey,
      secrets: last.secrets,
      checked: false,
    });
  }, 30_000); // a fleet's worth of records: seconds on a loaded CI host, not the unit default of 5

  it('opens once per stateDir and server key: a reload reads nothing', async () => {
    const dir = await savedDir();
    const cache = new KeyCache();
    await cache.open(dir, server.secretKey);
    await rm(join(dir, KEY_CACHE_FILE));
    expect(await cache.open(dir, server.secretKey)).toEqual({ loaded: 3, again: true });
    expect(cache.known(keys[2]!)).toEqual(checked(keys[2]!));
  });

  it('derives ahead, in a worker, the keys offered that the file does not hold, and hands them over unchecked', async () => {
    const dir = await savedDir(); // holds `keys`
    const fleet = Array.from({ length: 600 }, () => generateKeyPair(nodeBackend, 'client').publicKey);
    const cache = new KeyCache(undefined, process.getuid?.(), await agreementWorkerSource());
    await cache.open(dir, server.secretKey);
    cache.ahead.start(server.secretKey);
    for (const key of [...keys, ...fleet]) cache.offer(formatPublicKey('client', key));
    cache.offer('spa-ed25519:not-a-key'); // the load reports it; the cache ignores it
    cache.ahead.offersDone();
    // Asking for a key claims it (agreements-ahead.ts): give the worker time first (~50 ms of work).
    await new Promise((r) => setTimeout(r, 2000));
    // The file's keys come from the file, verdict and all; the others from the worker, unchecked.
    expect(cache.known(keys[0]!)).toEqual(checked(keys[0]!));
    const derived = fleet.filter((key) => cache.known(key) !== undefined);
    expect(derived.length).toBeGreaterThan(0);
    for (const key of derived) expect(cache.known(key)).toEqual({ secrets: secretsOf(key), checked: false });
    cache.ahead.finish();
    expect(cache.ahead.derived).toBe(derived.length);
    // After the build, only the file's keys are known.
    expect(cache.known(fleet[0]!)).toBeUndefined();
    expect(cache.ahead.takeFailure()).toBeUndefined();
  }, 30_000);

  it("tells once why a load's worker failed, also when its error came after the build", async () => {
    const dir = await savedDir();
    const fleet = Array.from({ length: 600 }, () => generateKeyPair(nodeBackend, 'client').publicKey);
    const cache = new KeyCache(undefined, process.getuid?.(), 'throw new Error("broken worker")');
    await cache.open(dir, server.secretKey);
    cache.ahead.start(server.secretKey);
    for (const key of fleet) cache.offer(formatPublicKey('client', key));
    cache.ahead.offersDone();
    // The worker fails while this thread builds (here: blocks) and finishes before its error event runs.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    cache.ahead.finish();
    await new Promise((r) => setTimeout(r, 100));
    expect(cache.ahead.takeFailure()).toMatch(/broken worker/);
    expect(cache.ahead.takeFailure()).toBeUndefined();
  }, 30_000);
});
