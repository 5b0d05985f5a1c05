/** The clients-dir cache: a restart reads only the files that changed, and a cache it cannot trust is ignored, never used. */
import { createHmac, hkdfSync } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBackend } from 'spa-node';
import { formatPublicKey, generateKeyPair } from 'spa-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientFileMemo } from './client-file-memo.js';
import { readClientsDir } from './clients-dir.js';
import { CLIENTS_DIR_CACHE_FILE, ClientsDirCache } from './clients-dir-cache.js';

const server = generateKeyPair(nodeBackend, 'server');
const otherServer = generateKeyPair(nodeBackend, 'server');
const clientKey = (): string => formatPublicKey('client', generateKeyPair(nodeBackend, 'client').publicKey);

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'spa-dir-cache-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A stateDir and a clients directory of `count` files of one template, plus one of another. */
async function fleet(count = 3): Promise<{ state: string; dir: string }> {
  const base = join(root, `f${n++}`);
  const [state, dir] = [join(base, 'state'), join(base, 'clients.d')];
  await mkdir(state, { recursive: true, mode: 0o700 });
  await mkdir(dir, { mode: 0o755 });
  for (let i = 0; i < count; i++) {
    await writeFile(join(dir, `c${i}.json`), JSON.stringify({ publicKey: clientKey(), services: ['ssh'] }));
  }
  await writeFile(
    join(dir, 'z.json'),
    JSON.stringify({ publicKey: clientKey(), services: ['web'], oneShot: true }),
  );
  return { state, dir };
}

/** A run: opens the cache, reads the directory through the memo, saves. */
async function run(
  state: string,
  dir: string,
  options: { version?: string; key?: Uint8Array } = {},
): Promise<{
  cache: ClientsDirCache;
  memo: ClientFileMemo;
  read: Awaited<ReturnType<typeof readClientsDir>>;
}> {
  const cache = new ClientsDirCache(options.version ?? '1.0.0');
  const memo = new ClientFileMemo({ racyMs: 0 });
  await cache.open(state, options.key ?? server.secretKey, dir, memo);
  const read = await readClientsDir(dir, memo);
  await cache.save(memo);
  return { cache, memo, read };
}

describe('ClientsDirCache', () => {
  it('gives a restart the clients it validated, the same values, without reading the files again', async () => {
    const { state, dir } = await fleet();
    const first = await run(state, dir);
    expect((await stat(join(state, CLIENTS_DIR_CACHE_FILE))).mode & 0o777).toBe(0o600);
    const cache = new ClientsDirCache('1.0.0');
    const memo = new ClientFileMemo({ racyMs: 0 });
    expect(await cache.open(state, server.secretKey, dir, memo)).toEqual({ loaded: 4 });
    expect(cache.takeNotice()).toEqual({ loaded: 4 });
    const again = await readClientsDir(dir, memo);
    expect(again).toEqual(first.read);
    // Seeded, not read: the files of one template share their frozen arrays, as the schema's fast path gives.
    const [a, b] = again.clients;
    expect(a!.client.services).toBe(b!.client.services);
    expect(Object.isFrozen(a!.client.services)).toBe(true);
    expect(memo.generation).toBe(0);
  });

  it('reads again a file that changed, sees one that is gone, and rewrites the cache only then', async () => {
    const { state, dir } = await fleet();
    await run(state, dir);
    const before = await readFile(join(state, CLIENTS_DIR_CACHE_FILE));
    const unchanged = await run(state, dir);
    expect(await readFile(join(state, CLIENTS_DIR_CACHE_FILE))).toEqual(before);
    expect(unchanged.memo.generation).toBe(0);
    const key = clientKey();
    await writeFile(join(dir, 'c1.json'), JSON.stringify({ publicKey: key, services: ['ssh', 'web'] }));
    await rm(join(dir, 'c2.json'));
    const changed = await run(state, dir);
    const c1 = changed.read.clients.find((c) => c.path.endsWith('c1.json'));
    expect(c1?.client).toMatchObject({ publicKey: key, services: ['ssh', 'web'] });
    expect(changed.read.clients.map((c) => c.path.slice(dir.length + 1))).toEqual([
      'c0.json',
      'c1.json',
      'z.json',
    ]);
    const next = await run(state, dir);
    expect(next.read).toEqual(changed.read);
  });

  it('ignores a damaged, foreign, loosened, other-version or other-directory cache, and rebuilds it', async () => {
    const { state, dir } = await fleet();
    const path = join(state, CLIENTS_DIR_CACHE_FILE);
    await run(state, dir);
    const good = await readFile(path);
    const open = (o: { version?: string; key?: Uint8Array; dir?: string } = {}) =>
      new ClientsDirCache(o.version ?? '1.0.0').open(
        state,
        o.key ?? server.secretKey,
        o.dir ?? dir,
        new ClientFileMemo({ racyMs: 0 }),
      );
    const flipped = Uint8Array.from(good);
    flipped[40]! ^= 1;
    await writeFile(path, flipped, { mode: 0o600 });
    expect(await open()).toEqual({ loaded: 0, ignored: 'checksum mismatch' });
    await writeFile(path, good.subarray(0, 30), { mode: 0o600 });
    expect((await open())?.ignored).toBe('not a clients-dir cache of this format');
    await writeFile(path, good, { mode: 0o600 });
    expect((await open({ key: otherServer.secretKey }))?.ignored).toBe('checksum mismatch');
    expect((await open({ version: '1.0.1' }))?.ignored).toBe('written by another build');
    expect((await open({ dir: join(dir, 'other') }))?.ignored).toBe('written for another clients directory');
    await chmod(path, 0o644);
    expect((await open())?.ignored).toBe('readable or writable by others (not 0600)');
    await chmod(path, 0o600);
    expect(await open()).toEqual({ loaded: 4 });
    // A run that ignored it writes it anew for its own key.
    await run(state, dir, { key: otherServer.secretKey });
    expect(await open({ key: otherServer.secretKey })).toEqual({ loaded: 4 });
  });

  it('ignores a cache whose MAC verifies but whose body is not rows of the right shape (a start never crashes on it)', async () => {
    const { state, dir } = await fleet();
    const path = join(state, CLIENTS_DIR_CACHE_FILE);
    // Sealed as the cache seals its file (only a holder of the server key can): format 1's magic and salt.
    const sealed = (body: string): Uint8Array => {
      const magic = Buffer.from('spa-dircache-v1\n');
      const key = hkdfSync(
        'sha256',
        server.secretKey,
        Buffer.from('spa-server clients-dir cache v1'),
        nodeBackend.x25519PublicKey(server.secretKey),
        32,
      );
      const data = Buffer.concat([magic, Buffer.from(body)]);
      return Buffer.concat([data, createHmac('sha256', Buffer.from(key)).update(data).digest()]);
    };
    const head = `"version":"1.0.0","dir":${JSON.stringify(dir)}`;
    for (const body of [
      'null',
      '[]',
      `{${head},"shapes":[null],"rows":[]}`,
      `{${head},"shapes":[{}],"rows":[["${join(dir, 'c0.json')}","1:2",1,"c0","key"]]}`,
      `{${head},"shapes":[{}],"rows":[["${join(dir, 'c0.json')}",12,0,"c0","key"]]}`,
      `{${head},"shapes":[{}],"rows":[{}]}`,
    ]) {
      await writeFile(path, sealed(body), { mode: 0o600 });
      const opened = await new ClientsDirCache('1.0.0').open(
        state,
        server.secretKey,
        dir,
        new ClientFileMemo({ racyMs: 0 }),
      );
      expect(opened, body).toEqual({ loaded: 0, ignored: 'truncated or damaged' });
    }
    // The same sealing with a well-formed body is trusted: the test seals as the cache does.
    await writeFile(path, sealed(`{${head},"shapes":[{}],"rows":[]}`), { mode: 0o600 });
    expect(
      await new ClientsDirCache('1.0.0').open(
        state,
        server.secretKey,
        dir,
        new ClientFileMemo({ racyMs: 0 }),
      ),
    ).toEqual({ loaded: 0 });
  });

  it('keeps no cache without a build identity (sources run unbundled): nothing read, nothing written', async () => {
    const { state, dir } = await fleet();
    await run(state, dir);
    const good = await readFile(join(state, CLIENTS_DIR_CACHE_FILE));
    const cache = new ClientsDirCache(undefined);
    const memo = new ClientFileMemo({ racyMs: 0 });
    expect(await cache.open(state, server.secretKey, dir, memo)).toBeUndefined();
    expect(memo.size).toBe(0);
    await readClientsDir(dir, memo);
    await cache.save(memo);
    expect(await readFile(join(state, CLIENTS_DIR_CACHE_FILE))).toEqual(good);
  });

  it('reads nothing on a reload: the memo in use already holds the files', async () => {
    const { state, dir } = await fleet();
    const { cache, memo } = await run(state, dir);
    expect(await cache.open(state, server.secretKey, dir, memo)).toBeUndefined();
  });
});
