/** docs/exit-codes.md documents the exit codes once: its table must name exactly the constants, with their numbers. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit-codes.js';

const DOC = new URL('../../../docs/exit-codes.md', import.meta.url);

/** `| 78 | \`config\` | ...` → ['config', 78], for every row of the table whose first cell is a number. */
function documentedRows(markdown: string): [string, number][] {
  const rows: [string, number][] = [];
  for (const line of markdown.split('\n')) {
    const match = /^\|\s*(\d+)\s*\|\s*`(\w+)`\s*\|/.exec(line);
    if (match) rows.push([match[2]!, Number(match[1])]);
  }
  return rows;
}

describe('docs/exit-codes.md', () => {
  it('has one row per exit code, with the name and number of EXIT_CODES', () => {
    const rows = documentedRows(readFileSync(DOC, 'utf8'));
    expect(rows).toEqual(Object.entries(EXIT_CODES).sort(([, a], [, b]) => a - b));
  });

  it('gives each number one name', () => {
    const numbers = Object.values(EXIT_CODES);
    expect(new Set(numbers).size).toBe(numbers.length);
  });
});
