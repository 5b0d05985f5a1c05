/** Keeping the kernel's gate in step: tags pushed when epochs or the table change, retried after a failure; spent nonces batched, held until their epoch leaves the window. */

import { nodeBackend } from 'spa-node';
import { EPOCH_MS } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/capture-log.js';
import { makeClient, makeFixture } from '../../test/fixtures.js';
import type { KnockGateControl, SpentNonce } from '../firewall/driver.js';
import { SPENT_CAPACITY } from '../firewall/knock-gate.js';
import { createDaemonLog } from '../observability/log.js';
import { createMetrics } from '../observability/metrics.js';
import { advanceTags, buildRuntime } from '../pipeline/runtime.js';
import { SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';
import { createKnockGateSync, SPENT_FULL_QUIET_MS } from './knock-gate-sync.js';

const T0 = 1_700_000_010_000; // 30 s into its minute

function setup() {
  const calls: { tags?: string[]; spent?: SpentNonce[] }[] = [];
  let fail = false;
  let spendError: Error | undefined;
  const gate: KnockGateControl = {
    async setTags(tags) {
      if (fail)
        throw new Error(`nft: no such table: add element inet spa knock_tags { 0x${'ab'.repeat(16)} }`);
      calls.push({ tags: [...tags] });
    },
    async spend(spent) {
      if (spendError) throw spendError;
      calls.push({ spent: [...spent] });
    },
    drops: async () => ({}),
  };
  const log = captureLog();
  const metrics = createMetrics({ replayEntries: () => 0, logSuppressed: () => 0 });
  let nowMs = 0;
  const sync = createKnockGateSync(
    gate,
    createDaemonLog({ sink: log, clock: () => T0, level: 'debug', refusalsPerSecond: 1e9 }),
    metrics,
    () => nowMs,
  );
  return {
    calls,
    sync,
    log,
    metrics,
    failNext: (v: boolean) => (fail = v),
    spendFails: (e: Error | undefined) => (spendError = e),
    advance: (ms: number) => (nowMs += ms),
  };
}

describe('knock gate sync', () => {
  it('pushes the tags once per change of epochs or table, and again after a failure', async () => {
    const { calls, sync, metrics, log, failNext } = setup();
    const fx = makeFixture({}, [makeClient('alice'), makeClient('bob')]);
    const rt = buildRuntime(fx.config, nodeBackend);
    advanceTags(rt, T0);
    await sync.syncTags(rt);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.tags).toHaveLength(6); // two clients, epochs e − 1, e and e + 1 (held the whole minute)
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

  it('counts a full spent set as knocks left out, warns once per streak, and is no firewall failure', async () => {
    const { sync, log, metrics, spendFails, advance } = setup();
    const epoch = Math.floor(T0 / EPOCH_MS);
    const spend = async (n: number, fill: number): Promise<void> => {
      for (let i = 0; i < n; i++) sync.spent(new Uint8Array(32).fill(fill + i), epoch, 120_000, T0);
      await sync.idle();
    };
    // nft's words for the kernel's ENFILE on an add to a set at its size (the kernel test shows them).
    const full = new ServerError(
      SERVER_ERROR_CODES.firewallCommandFailed,
      `nft: Error: Could not process rule: Too many open files in system\nadd element inet spa knock_spent { 0x${'ab'.repeat(32)} timeout 151s }`,
    );
    spendFails(full);
    await spend(3, 1);
    await spend(2, 10);
    expect(metrics.snapshot()).toMatchObject({ gateSpentFull: 5, firewallFailures: 0 });
    const warned = () => log.events('knockgate.spent-full');
    expect(warned()).toHaveLength(1);
    expect(warned()[0]).toMatchObject({ level: 'warn', capacity: SPENT_CAPACITY });
    expect(log.events('firewall.failed')).toEqual([]);
    // Near its size the set takes a small batch between refused ones: still the same streak.
    spendFails(undefined);
    await spend(1, 20);
    advance(SPENT_FULL_QUIET_MS - 1);
    spendFails(full);
    await spend(1, 30);
    expect(warned()).toHaveLength(1);
    // A refusal after a quiet minute starts a second streak, and a second warning.
    advance(SPENT_FULL_QUIET_MS);
    await spend(1, 35);
    expect(warned()).toHaveLength(2);
    // Any other error is a firewall failure, as before.
    spendFails(
      new ServerError(SERVER_ERROR_CODES.firewallCommandFailed, 'nft: Error: No such file or directory'),
    );
    await spend(1, 40);
    expect(metrics.snapshot()).toMatchObject({ gateSpentFull: 7, firewallFailures: 1 });
    expect(log.events('firewall.failed')).toHaveLength(1);
  });
});
