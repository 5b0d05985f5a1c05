/** Workflow commands and command files: what the runner reads back must be exactly what was meant. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inputVariable, maskSecret, readInput, setOutput } from './workflow-io.js';

describe('workflow-io', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reads inputs from the variables the runner sets (dashes kept, spaces as _)', () => {
    expect(inputVariable('server-key')).toBe('INPUT_SERVER-KEY');
    expect(inputVariable('allow ip')).toBe('INPUT_ALLOW_IP');
    expect(readInput('server-key', { 'INPUT_SERVER-KEY': '  spa-x25519:abc \n' })).toBe('spa-x25519:abc');
    expect(readInput('timeout', {})).toBe('');
  });

  it('masks every line of a multi-line secret, and nothing else is printed', () => {
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    maskSecret('# comment\r\nspa-ed25519-private:AAAA\n\n');
    expect(writes).toEqual(['::add-mask::# comment\n', '::add-mask::spa-ed25519-private:AAAA\n']);
  });

  it('writes an output no value can break out of (a random delimiter per entry)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spa-io-'));
    try {
      const file = join(dir, 'output');
      const hostile = 'a\nEOF\nforged<<EOF\nx';
      setOutput('addresses', hostile, { GITHUB_OUTPUT: file });
      const [first, ...rest] = readFileSync(file, 'utf8').split('\n');
      const delimiter = first!.split('<<')[1]!;
      expect(delimiter).toMatch(/^spa_[0-9a-f]{24}$/);
      expect(rest.slice(0, rest.indexOf(delimiter)).join('\n')).toBe(hostile);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to run outside a runner instead of losing an output', () => {
    expect(() => setOutput('addresses', '', {})).toThrow(/GITHUB_OUTPUT is not set/);
  });
});
