/** spa-protocol's main entry stays portable: no `node:` imports and no Buffer outside src/node. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const SRC = new URL('../src', import.meta.url).pathname;
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === 'node'
        ? []
        : files(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );

it('has no node: imports or Buffer outside src/node', () => {
  const offenders = files(SRC).filter((f) =>
    /from ['"]node:|\bBuffer\b|require\(/.test(readFileSync(f, 'utf8')),
  );
  expect(offenders).toEqual([]);
  expect(files(SRC).length).toBeGreaterThan(10);
});
