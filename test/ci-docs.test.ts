/** docs/ci.md: the action first, the plain shell second, and no example that depends on a public STUN server. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const CI_DOC = new URL('../docs/ci.md', import.meta.url);

describe('docs/ci.md', () => {
  it('shows the action before the plain shell form', async () => {
    const text = await readFile(CI_DOC, 'utf8');
    const action = text.indexOf('uses: spa-suite/spa-suite@');
    const shell = text.indexOf('## Any other CI, or a plain shell script');
    expect(action).toBeGreaterThan(0);
    expect(shell).toBeGreaterThan(action);
  });

  it('names no public STUN server and no bare --allow-ip stun (a restricted runner may not reach one)', async () => {
    const text = await readFile(CI_DOC, 'utf8');
    expect(text).not.toMatch(/--allow-ip[ =]stun(?!=)/);
    expect(text).not.toMatch(/stun\.l\.google\.com/);
    expect(text).not.toMatch(/npm install --global spa-client\b/);
  });
});
