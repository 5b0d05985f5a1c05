/** Merge files for `include`: private, one per merge, gone once answered, and the directory gone at close. */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NftIncludeFiles } from './nft-include.js';

function includedPath(text: string): string {
  const match = /^include "([^"]+)"$/.exec(text);
  if (!match?.[1]) throw new Error(`not an include line: ${text}`);
  return match[1];
}

describe('NftIncludeFiles', () => {
  it('writes each merge to a file of its own that only the owner can read, one transaction line per line', () => {
    const files = new NftIncludeFiles();
    const first = files.join([
      'add element inet spa allow4 { 10.0.0.1 . tcp . 22 }',
      'add element inet spa allow4 { 10.0.0.2 . tcp . 22 }',
    ]);
    const second = files.join(['flush set inet spa allow4']);
    const path = includedPath(first.text);
    expect(includedPath(second.text)).not.toBe(path);
    expect(readFileSync(path, 'utf8')).toBe(
      'add element inet spa allow4 { 10.0.0.1 . tcp . 22 }\nadd element inet spa allow4 { 10.0.0.2 . tcp . 22 }\n',
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    first.release?.();
    expect(() => statSync(path)).toThrow();
    files.close();
    expect(() => statSync(dirname(path))).toThrow();
  });

  it('in the directory it is given; a directory no longer private is left alone and a new one made', () => {
    const parent = mkdtempSync(join(tmpdir(), 'spa-include-test-'));
    try {
      const files = new NftIncludeFiles(parent);
      const first = includedPath(files.join(['flush set inet spa allow4']).text);
      expect(dirname(dirname(first))).toBe(parent);
      // A temp cleaner removed it and someone made it again, open to others (here: the same user,
      // mode 0777; another owner is refused the same way).
      const dir = dirname(first);
      renameSync(dir, `${dir}.gone`);
      mkdirSync(dir);
      chmodSync(dir, 0o777);
      const second = includedPath(files.join(['flush set inet spa allow4']).text);
      expect(dirname(second)).not.toBe(dir);
      expect(statSync(dirname(second)).mode & 0o777).toBe(0o700);
      files.close();
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
