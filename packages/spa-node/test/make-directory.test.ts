/** makeDirectory: mkdir -p that settles, with a clear system error, where Node's recursive mkdir spins forever. */
import { mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirectory } from '../src/make-directory.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const scratch = async () => {
  const d = await mkdtemp(join(tmpdir(), 'spa-mkdir-'));
  dirs.push(d);
  return d;
};

describe('makeDirectory', () => {
  it('creates every missing level with the mode, and accepts one that exists', async () => {
    const base = await scratch();
    const deep = join(base, 'a', 'b', 'c');
    await makeDirectory(deep);
    for (const level of [join(base, 'a'), join(base, 'a', 'b'), deep]) {
      const info = await stat(level);
      expect(info.isDirectory()).toBe(true);
      expect(info.mode & 0o777).toBe(0o700);
    }
    await makeDirectory(deep);
  });

  const cases: [string, () => Promise<string>, string][] = [
    ['under /proc (mkdir says ENOENT though /proc exists)', async () => '/proc/spa-no-such/state', 'ENOENT'],
    [
      'through a dangling symlink (an unmounted disk)',
      async () => {
        const base = await scratch();
        await symlink(join(base, 'gone'), join(base, 'link'));
        return join(base, 'link');
      },
      'ENOENT',
    ],
    [
      'a regular file in its place',
      async () => {
        const base = await scratch();
        await writeFile(join(base, 'file'), '');
        return join(base, 'file');
      },
      'ENOTDIR',
    ],
    [
      'below a regular file',
      async () => {
        const base = await scratch();
        await writeFile(join(base, 'file'), '');
        return join(base, 'file', 'sub');
      },
      'ENOTDIR',
    ],
  ];
  it.each(cases)('%s: rejects at once with %s', async (_name, make, code) => {
    const path = await make();
    const started = Date.now();
    await expect(makeDirectory(path)).rejects.toMatchObject({ code });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
