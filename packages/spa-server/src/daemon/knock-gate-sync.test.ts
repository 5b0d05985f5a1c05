/** Keeping the kernel's gate in step: tags pushed when epochs or the table change, retried after a failure; spent nonces batched, held until their epoch leaves the window. */

import { nodeBackend } from 'spa-node';
import { EPOCH_MS } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/capture-log.js';
import { makeClient, makeFixture } from '../../test/fixtures.js';
import type { KnockGateControl, SpentNonce } from '../firewall/driver.js';
import { createDaemonLog } from '../observability/log.js';
import { createMetrics } from '../observability/metrics.js';
import { advanceTags, buildRuntime } from '../pipeline/runtime.js';
import { createKnockGateSync } from './knock-gate-sync.js';

const T0 = 1_700_000_010_000; // 30 s into its minute

function setup() {
  const calls: { tags?: string[]; spent?: SpentNonce[] }[] = [];
  let fail = false;
  const gate: KnockGateControl = {
    async setTags(tags) {
      if (fail)
        throw new Error(`nft: no such table: add element inet spa knock_tags { 0x${'ab'.repeat(16)} }`);
      calls.push({ tags: [...tags] });
    },
    async spend(spent) {
      calls.push({ spent: [...spent] });
    },
    drops: async () => ({}),
  };
  const log = captureLog();
  const metrics = createMetrics({ replayEntries: () => 0, logSuppressed: () => 0 });
  const sync = createKnockGateSync(
    gate,
    createDaemonLog({ sink: log, clock: () => T0, level: 'debug', refusalsPerSecond: 1e9 }),
    metrics,
  );
  return { calls, sync, log, metrics, failNext: (v: boolean) => (fail = v) };
}

describe('knock gate sync', () => {
  it('pushes the tags once per change of epochs or table, and again after a failure', async () => {
    const { calls, sync, metrics, log, failNext } = setup();
    const fx = makeFixture({}, [makeClient('alice'), makeClient('bob')]);
    const rt = buildRuntime(fx.config, nodeBackend);
    advanceTags(rt, T0);
    await sync.syncTags(rt);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.tags).toHaveLength(4); // two clients, epochs e − 1 and e
    await sync.syncTags(rt);
    expect(calls).toHaveLength(1); // nothing changed
    advanceTags(rt, T0 + EPOCH_MS);
    failNext(true);
    await sync.syncTags(rt); // never rejects
    expect(metrics.snapshot().firewallFailures).toBe(1);
    expect(log.events('firewall.failed')).toEqual([
      expect.objectContaining({ operation: 'knock-gate-tags' }),
    ]);
    // nft echoes the command: the tag's bytes are cut, so no log line holds a datagram's bytes.
    expect(JSON.stringify(log.events('firewall.failed'))).not.toContain('ab'.repeat(16));
    failNext(false);
    await sync.syncTags(rt);
    expect(calls).toHaveLength(2);
    const reloaded = buildRuntime(fx.config, nodeBackend, rt);
    advanceTags(reloaded, T0 + EPOCH_MS);
    await sync.syncTags(reloaded); // a new table: pushed even with the same epochs
    expect(calls).toHaveLength(3);
  });

  it('batches spent nonces into one call and keeps each until its epoch has left the window', async () => {
    const { calls, sync } = setup();
    const epoch = Math.floor(T0 / EPOCH_MS);
    sync.spent(new Uint8Array(32).fill(1), epoch, 120_000, T0);
    sync.spent(new Uint8Array(32).fill(2), epoch, 120_000, T0);
    await sync.idle();
    // The epoch ends 30 s after T0; the window keeps its tags 120 s more; one second of slack.
    expect(calls).toEqual([
      {
        spent: [
          { tagNonceHex: '01'.repeat(32), timeoutSeconds: 151 },
          { tagNonceHex: '02'.repeat(32), timeoutSeconds: 151 },
        ],
      },
    ]);
  });
});
