import { lstatSync, type Stats } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBackend, writeNewKeyFile } from 'spa-node';
import { formatPublicKey, generateKeyPair } from 'spa-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerError } from '../shared/server-error.js';
import { ignoredName, parseClientFile } from './client-file.js';
import { ClientFileMemo } from './client-file-memo.js';
import { readClientsDir, stampOf } from './clients-dir.js';
import { loadConfig } from './load-config.js';

const clientKey = (): string => formatPublicKey('client', generateKeyPair(nodeBackend, 'client').publicKey);
const KEY_A = clientKey();
const KEY_B = clientKey();

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'spa-clients-dir-'));
  await writeNewKeyFile(nodeBackend, 'server', join(root, 'server.key'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A fresh directory holding `files` (name → JSON value, or raw text). */
async function clientsDir(files: Record<string, unknown>): Promise<string> {
  const dir = join(root, `d${counter++}`);
  await mkdir(dir, { mode: 0o755 });
  for (const [name, value] of Object.entries(files)) {
    await writeFile(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value), {
      mode: 0o644,
    });
  }
  return dir;
}

describe('parseClientFile', () => {
  it('names the client after the file and fills defaults as server.json does', () => {
    expect(
      parseClientFile(JSON.stringify({ publicKey: KEY_A, services: ['ssh'] }), 'alice.json', 'x'),
    ).toEqual({
      ok: true,
      client: {
        name: 'alice',
        publicKey: KEY_A,
        services: ['ssh'],
        sourceNetworks: [],
        allowSourceAddress: false,
        oneShot: false,
      },
    });
  });

  it('reports each problem on one line naming the file and the field', () => {
    const bad = { name: 'bob', publicKey: 'spa-ed25519:short', services: [], colour: 'red', maxDuration: 0 };
    const result = parseClientFile(JSON.stringify(bad), 'alice.json', '/d/alice.json');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      '/d/alice.json: name: "bob" is not the file\'s name ("alice")',
      '/d/alice.json: publicKey: client public key is not 32 bytes of base64url',
      '/d/alice.json: services: must have at least 1 item',
      '/d/alice.json: maxDuration: must be at least 1',
      '/d/alice.json: colour: unknown field',
    ]);
    expect(parseClientFile('{"publicKey": ', 'a.json', '/d/a.json')).toEqual({
      ok: false,
      problems: ['/d/a.json:1:15: invalid JSON: unexpected end of input: a value is missing'],
    });
    expect(parseClientFile('[]', 'a.json', '/d/a.json')).toEqual({
      ok: false,
      problems: ['/d/a.json: (top level): expected an object (one client entry)'],
    });
    const badName = parseClientFile(
      JSON.stringify({ publicKey: KEY_A, services: ['ssh'] }),
      '-x.json',
      '/d/-x.json',
    );
    expect(!badName.ok && badName.problems).toEqual([
      '/d/-x.json: file name: not a valid client name: 1-64 letters, digits and _.@+-, starting with a letter or digit',
    ]);
  });

  it('skips dotfiles, editor and package-manager leftovers', () => {
    for (const name of [
      '.alice.json.swp',
      '.tmp123',
      'alice.json~',
      'alice.json.swp',
      '#alice.json#',
      'a.json.dpkg-old',
      'a.json.rpmnew',
      'a.json.bak',
    ]) {
      expect(ignoredName(name), name).toBeDefined();
    }
    expect(ignoredName('alice.json')).toBeUndefined();
    expect(ignoredName('notes.txt')).toBeUndefined();
  });
});

describe('readClientsDir', () => {
  it('reads NAME.json files in name order and skips leftovers', async () => {
    const dir = await clientsDir({
      'bob.json': { publicKey: KEY_B, services: ['ssh'] },
      'alice.json': { publicKey: KEY_A, services: ['ssh'] },
      '.alice.json.swp': 'binary junk',
      'alice.json~': '{',
    });
    const read = await readClientsDir(dir);
    expect(read.problems).toEqual([]);
    expect(read.ignored).toBe(2);
    expect(read.clients.map((c) => [c.client.name, c.path])).toEqual([
      ['alice', join(dir, 'alice.json')],
      ['bob', join(dir, 'bob.json')],
    ]);
  });

  it('refuses unsafe files and other names, each on one line naming the file', async () => {
    const dir = await clientsDir({ 'ok.json': { publicKey: KEY_A, services: ['ssh'] }, 'notes.txt': 'x' });
    const outside = join(root, `outside-${counter++}.json`);
    await writeFile(outside, JSON.stringify({ publicKey: KEY_B, services: ['ssh'] }));
    await symlink(outside, join(dir, 'link.json'));
    await writeFile(join(dir, 'open.json'), JSON.stringify({ publicKey: KEY_B, services: ['ssh'] }));
    await chmod(join(dir, 'open.json'), 0o666);
    await mkdir(join(dir, 'sub.json'));
    await writeFile(join(dir, 'big.json'), ' '.repeat(70_000));
    const read = await readClientsDir(dir);
    expect(read.clients.map((c) => c.client.name)).toEqual(['ok']);
    expect(read.problems).toEqual([
      `${join(dir, 'notes.txt')}: file name: not a client file (NAME.json; dotfiles and editor files are skipped)`,
      `${join(dir, 'big.json')}: file: larger than 65536 bytes`,
      `${join(dir, 'link.json')}: file: is a symbolic link (not followed: copy the file into the directory)`,
      `${join(dir, 'open.json')}: file: is world-writable (chmod o-w)`,
      `${join(dir, 'sub.json')}: file: not a regular file`,
    ]);
  });

  it('refuses a missing or world-writable directory as clientsDir', async () => {
    expect((await readClientsDir(join(root, 'none'))).problems).toEqual([
      `clientsDir: ${join(root, 'none')}: cannot read the clients directory: no such file`,
    ]);
    const dir = await clientsDir({});
    await chmod(dir, 0o777);
    expect((await readClientsDir(dir)).problems).toEqual([
      `clientsDir: ${dir}: is world-writable (chmod o-w)`,
    ]);
  });
});

describe('loadConfig with clientsDir', () => {
  const load = async (config: object, keys?: string): Promise<unknown> => {
    const path = join(root, `case-${counter++}.json`);
    if (keys !== undefined) await writeFile(`${path}.keys`, keys);
    await writeFile(
      path,
      JSON.stringify({
        serverKeyFile: 'server.key',
        services: { ssh: 'tcp/22' },
        ...config,
        ...(keys === undefined ? {} : { authorizedKeysFile: `${path}.keys` }),
      }),
    );
    return loadConfig(path).catch((error: unknown) => error);
  };

  it('adds the directory clients after the others, relative to the config file', async () => {
    const dir = await clientsDir({ 'bob.json': { publicKey: KEY_B, services: ['ssh'] } });
    const config = (await load({
      clients: [{ name: 'alice', publicKey: KEY_A, services: ['ssh'] }],
      clientsDir: dir.slice(root.length + 1),
      watchClientsDir: true,
    })) as Awaited<ReturnType<typeof loadConfig>>;
    expect(config.clients.map((c) => c.name)).toEqual(['alice', 'bob']);
    expect(config.clientsDir).toEqual({ path: dir, watch: true });
  });

  it('names both places for a duplicate name or key, and the file and field for an unknown service', async () => {
    const dir = await clientsDir({
      'alice.json': { publicKey: KEY_B, services: ['ssh'] },
      'carol.json': { publicKey: KEY_A, services: ['web'] },
    });
    const error = await load({ clients: [], clientsDir: dir }, `${KEY_A} name=alice services=ssh\n`);
    expect(error).toBeInstanceOf(ServerError);
    const keys = join(root, `case-${counter - 1}.json.keys`);
    expect((error as ServerError).problems).toEqual([
      `${join(dir, 'alice.json')}: name: duplicate client name "alice" (also ${keys}:1)`,
      `${join(dir, 'carol.json')}: services[0]: unknown service "web" (services are: ssh)`,
      `${join(dir, 'carol.json')}: publicKey: same key as ${keys}:1 ("alice"): every client needs its own key`,
    ]);
  });

  it('checks a large directory in slices and still finds two files with one key, far apart', async () => {
    const files: Record<string, unknown> = {};
    for (let i = 0; i < 1500; i++)
      files[`c${String(i).padStart(4, '0')}.json`] = { publicKey: clientKey(), services: ['ssh'] };
    files['c0000.json'] = { publicKey: KEY_A, services: ['ssh'] };
    files['c1499.json'] = { publicKey: KEY_A, services: ['ssh'] };
    const dir = await clientsDir(files);
    const error = await load({ clients: [], clientsDir: dir });
    expect((error as ServerError).problems).toEqual([
      `${join(dir, 'c1499.json')}: publicKey: same key as ${join(dir, 'c0000.json')} ("c0000"): every client needs its own key`,
    ]);
    await rm(join(dir, 'c1499.json'));
    const config = (await load({ clients: [], clientsDir: dir })) as Awaited<ReturnType<typeof loadConfig>>;
    expect(config.clients).toHaveLength(1499);
    expect(config.clients.at(-1)!.keyField).toBe(`${join(dir, 'c1498.json')}: publicKey`);
  }, 30_000); // 1,500 files: seconds on a loaded CI host, not the unit default of 5
});

describe('readClientsDir on a reload (ClientFileMemo)', () => {
  it('reuses what it read from unchanged files and reads again what changed, was removed or loosened', async () => {
    const dir = await clientsDir({
      'alice.json': { publicKey: KEY_A, services: ['ssh'] },
      'bob.json': { publicKey: KEY_B, services: ['ssh'] },
    });
    const memo = new ClientFileMemo({ racyMs: 0 });
    const first = await readClientsDir(dir, memo);
    const again = await readClientsDir(dir, memo);
    // The same objects: nothing was read, parsed or checked again.
    expect(again.clients[0]!.client).toBe(first.clients[0]!.client);
    expect(again.clients[1]!.client).toBe(first.clients[1]!.client);

    const KEY_C = clientKey();
    await writeFile(join(dir, 'alice.json'), JSON.stringify({ publicKey: KEY_C, services: ['ssh'] }));
    const changed = await readClientsDir(dir, memo);
    expect(changed.clients.map((c) => c.client.publicKey)).toEqual([KEY_C, KEY_B]);
    expect(changed.clients[1]!.client).toBe(first.clients[1]!.client);

    await chmod(join(dir, 'bob.json'), 0o666);
    const loosened = await readClientsDir(dir, memo);
    expect(loosened.clients.map((c) => c.client.name)).toEqual(['alice']);
    expect(loosened.problems).toEqual([`${join(dir, 'bob.json')}: file: is world-writable (chmod o-w)`]);

    await rm(join(dir, 'bob.json'));
    await symlink(join(dir, 'alice.json'), join(dir, 'bob.json'));
    const linked = await readClientsDir(dir, memo);
    expect(linked.problems).toEqual([
      `${join(dir, 'bob.json')}: file: is a symbolic link (not followed: copy the file into the directory)`,
    ]);
  });

  it('offers the keys it reads to `offer`, and those of files the memo vouches for to `offerRemembered`', async () => {
    const dir = await clientsDir({
      'alice.json': { publicKey: KEY_A, services: ['ssh'] },
      'bob.json': { publicKey: KEY_B, services: ['ssh'] },
    });
    const memo = new ClientFileMemo({ racyMs: 0 });
    const read: string[] = [];
    const remembered: string[] = [];
    const offers = [(k: string) => read.push(k), (k: string) => remembered.push(k)] as const;
    await readClientsDir(dir, memo, ...offers);
    expect([read, remembered]).toEqual([[KEY_A, KEY_B], []]);
    const KEY_C = clientKey();
    await writeFile(join(dir, 'alice.json'), JSON.stringify({ publicKey: KEY_C, services: ['ssh'] }));
    read.length = 0;
    await readClientsDir(dir, memo, ...offers);
    expect([read, remembered]).toEqual([[KEY_C], [KEY_B]]);
  });

  it('reads again a file that had just changed when read: a rewrite in the same clock tick keeps its stamp', async () => {
    const dir = await clientsDir({ 'alice.json': { publicKey: KEY_A, services: ['ssh'] } });
    // The default window (2 s): the file was written a moment ago.
    const memo = new ClientFileMemo();
    const first = await readClientsDir(dir, memo);
    const again = await readClientsDir(dir, memo);
    expect(again.clients[0]!.client).not.toBe(first.clients[0]!.client);
    expect(again.clients[0]!.client).toEqual(first.clients[0]!.client);
    // Racy entries are not vouched for across restarts either (stateDir's clients-dir cache).
    expect([...memo.accepted()]).toEqual([]);
  });
});

describe('stampOf', () => {
  it('takes device and inode numbers past 2^53 exactly, from a BigInt stat: two such inodes never look alike', () => {
    const info = lstatSync(import.meta.filename);
    // A double cannot tell these two inodes apart: 2^60 and 2^60 + 1 are the same number.
    const [a, b] = [2n ** 60n, 2n ** 60n + 1n];
    expect(Number(a)).toBe(Number(b));
    const as = (ino: bigint): [Stats, () => import('node:fs').BigIntStats] => [
      Object.assign(Object.create(info) as Stats, { ino: Number(ino) }),
      () => ({ ...lstatSync(import.meta.filename, { bigint: true }), ino }),
    ];
    const stampA = stampOf(...as(a));
    expect(stampA).toContain(`:${a}:`);
    expect(stampOf(...as(b))).not.toBe(stampA);
    // An ordinary inode number costs no BigInt stat.
    expect(stampOf(info, () => expect.fail('no BigInt stat for a safe inode number'))).toContain(
      `:${info.ino}:`,
    );
  });
});
