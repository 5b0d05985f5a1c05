/** The closest word for a mistyped command or option: typos and swapped letters, nothing for a stranger or a short option. */
import { describe, expect, it } from 'vitest';
import { closestWords, suggestion } from '../src/suggest.js';

const COMMANDS = ['run', 'check', 'status', 'flush', 'client-config', 'keygen'];
const OPTIONS = ['--host', '--port', '--spa-port', '--json', '-4', '-6'];

describe('closestWords', () => {
  it.each([
    ['stauts', COMMANDS, ['status']],
    ['chek', COMMANDS, ['check']],
    ['client-cofnig', COMMANDS, ['client-config']],
    ['--hots', OPTIONS, ['--host']],
    ['--sap-port', OPTIONS, ['--spa-port']],
    ['--prot', OPTIONS, ['--port']],
  ])('%s → %j', (word, candidates, expected) => {
    expect(closestWords(word, candidates)).toEqual(expected);
  });

  it('suggests nothing for an unrelated word, a short option, or across commands and options', () => {
    expect(closestWords('frobnicate', COMMANDS)).toEqual([]);
    expect(closestWords('-x', OPTIONS)).toEqual([]);
    expect(closestWords('--run', COMMANDS)).toEqual([]);
    expect(closestWords('host', OPTIONS)).toEqual([]);
    expect(suggestion('frobnicate', COMMANDS)).toBe('');
    expect(suggestion('stauts', COMMANDS)).toBe(' (did you mean status?)');
  });
});
