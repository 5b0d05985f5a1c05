/** The kernel's knock gate at start: a small fleet's tags go with the setup, a large fleet's once the daemon listens, the gate closed until then. */
import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/capture-log.js';
import { useDaemonHooks } from '../../test/daemon-hooks.js';
import { createFakeDriver } from '../../test/fake-driver.js';
import { makeClient, makeFixture } from '../../test/fixtures.js';
import type { FirewallDriver } from '../firewall/driver.js';
import { startDaemon } from './daemon.js';
import { TAGS_WITH_SETUP_MAX_KEYS } from './knock-gate-sync.js';

const { dirs, running } = useDaemonHooks();

/** A fake driver with a gate; `order` gets each setup and tag set as it reaches "the kernel". */
function gatedDriver(tagsDelayMs = 0, failures = 0) {
  const order: string[] = [];
  let failing = failures;
  const fake = createFakeDriver();
  const driver: FirewallDriver = {
    ...fake,
    async setup(ports) {
      await fake.setup(ports);
      order.push('setup');
    },
    knockGate: {
      async setTags(tags) {
        await new Promise((r) => setTimeout(r, tagsDelayMs));
        if (failing-- > 0) throw new Error('nft: Could not process rule');
        order.push(`tags ${tags.length}`);
      },
      async spend() {},
      drops: async () => ({}),
    },
  };
  return { driver, order };
}

async function start(clients: number, tagsDelayMs = 0, failures = 0) {
  const fx = makeFixture(
    {},
    Array.from({ length: clients }, (_, i) => makeClient(`c${i}`)),
  );
  dirs.push(fx.config.stateDir);
  const { driver, order } = gatedDriver(tagsDelayMs, failures);
  const log = captureLog();
  const daemon = await startDaemon(fx.config, { driver, log });
  running.push(daemon);
  order.push('listening');
  return { daemon, order, log };
}

describe('the knock gate at start', () => {
  it('hands a small fleet its tags before the setup, which installs them in the same transaction', async () => {
    const { order, log } = await start(3);
    // The driver keeps tags given before its first setup and installs them with the table.
    expect(order.slice(0, 3)).toEqual([expect.stringMatching(/^tags [1-9]/), 'setup', 'listening']);
    expect(log.events('knockgate.ready')).toEqual([]);
  });

  it('listens before a large fleet has its tags: the gate is set up empty, closed to every knock, until they are in', async () => {
    const keys = TAGS_WITH_SETUP_MAX_KEYS + 1;
    const { daemon, order, log } = await start(keys, 200);
    expect(order.slice(0, 2)).toEqual(['setup', 'listening']);
    // The background subgroup checks wait for the tags' first try, whose encoding they would slow.
    await new Promise((r) => setTimeout(r, 100));
    expect(daemon.metrics().keyChecksPending).toBe(keys);
    await expect.poll(() => log.events('knockgate.ready'), { timeout: 5000 }).toHaveLength(1);
    await expect.poll(() => daemon.metrics().keyChecksPending, { timeout: 5000 }).toBeLessThan(keys);
    // Every key's tags, at least two epochs each, reached the kernel in one call after the start.
    const tags = order.filter((o) => o.startsWith('tags '));
    expect(tags).toHaveLength(1);
    expect(Number(tags[0]!.slice(5))).toBeGreaterThanOrEqual(2 * keys);
    expect(log.events('knockgate.ready')[0]).toMatchObject({ clients: keys });
  });

  it('keeps the gate closed after a failed install, and says when a retry got the tags in', async () => {
    const { order, log } = await start(TAGS_WITH_SETUP_MAX_KEYS + 1, 0, 1);
    await expect.poll(() => log.events('knockgate.ready'), { timeout: 5000 }).toHaveLength(1);
    expect(log.events('firewall.failed')).toEqual([
      expect.objectContaining({ operation: 'knock-gate-tags' }),
    ]);
    expect(order.filter((o) => o.startsWith('tags '))).toHaveLength(1);
  });
});
