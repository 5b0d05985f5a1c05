/** The runtime the packet path reads: built in slices by the daemon, with its tags made before it is put in force. */
import { nodeBackend } from 'spa-node';
import { describe, expect, it } from 'vitest';
import { makeFixture } from '../../test/fixtures.js';
import { advanceTags, buildRuntime, createRuntime } from './runtime.js';

const NOW = 1_700_000_030_000;

describe('createRuntime', () => {
  it('with a clock, returns a runtime that already holds the tags around now: the swap makes none', async () => {
    const fx = makeFixture();
    const rt = await createRuntime(fx.config, nodeBackend, { pause: async () => {}, clock: () => NOW });
    const knock = fx.knock({}, { now: NOW });
    expect(rt.table.lookup(knock)?.client.name).toBe('alice');
    const whole = buildRuntime(fx.config, nodeBackend);
    advanceTags(whole, NOW);
    expect(rt.table.heldEpochs).toBe(whole.table.heldEpochs);
    expect(rt.table.heldTags()).toHaveLength(whole.table.heldTags().length);
    // Without a clock the tags are left to advanceTags, as before.
    const later = await createRuntime(fx.config, nodeBackend, { pause: async () => {} });
    expect(later.table.lookup(knock)).toBeUndefined();
  });

  it('finds each client by its key id', async () => {
    const fx = makeFixture();
    const rt = await createRuntime(fx.config, nodeBackend);
    for (const client of fx.config.clients) expect(rt.clients.get(client.keyIdHex)).toBe(client);
  });
});
