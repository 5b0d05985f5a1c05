/** A client's `expires` ends, within the tick after it, what it opened before: this run's grants by key, an earlier run's by name. */
import { nodeBackend } from 'spa-node';
import { parseAddress } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/capture-log.js';
import { createFakeDriver } from '../../test/fake-driver.js';
import { makeClient, makeFixture } from '../../test/fixtures.js';
import type { GrantEvent } from '../grants/grant-events.js';
import { createGrantKeeper } from '../grants/grant-keeper.js';
import { createDaemonLog } from '../observability/log.js';
import { createMetrics } from '../observability/metrics.js';
import { buildRuntime } from '../pipeline/runtime.js';
import { clientExpiry } from './client-expiry.js';
import { inheritGrants } from './inherit-grants.js';

const T0 = 1_700_000_000_000;
const SSH = [{ protocol: 'tcp' as const, port: 22 }];
const at = (text: string) => {
  const a = parseAddress(text);
  if (!a) throw new Error(text);
  return [a];
};

async function setup() {
  let now = T0;
  const clock = () => now;
  const driver = createFakeDriver();
  // An earlier run's grant of alice's, kept by the start.
  driver.grants.set('4|192.0.2.9|tcp|22', {
    family: 4,
    address: '192.0.2.9',
    protocol: 'tcp',
    port: 22,
    client: 'alice',
    timeoutSeconds: 3600,
  });
  const sink = captureLog();
  const log = createDaemonLog({ sink, clock, level: 'debug', refusalsPerSecond: 1e9 });
  const metrics = createMetrics({ replayEntries: () => 0, logSuppressed: () => 0 });
  const events: GrantEvent[] = [];
  const grants = createGrantKeeper({ driver, clock, log, metrics, events: (e) => events.push(e) });
  const alice = makeClient('alice', { expiresAtMs: T0 + 5000 });
  const bob = makeClient('bob');
  const runtime = buildRuntime(makeFixture({}, [alice, bob]).config, nodeBackend);
  await inheritGrants({ driver, grants, log, runtime, clock });
  // Given before `expires` was brought forward to T0 + 5 s: an hour long.
  await grants.open({ keyId: alice.resolved.keyIdHex, name: 'alice' }, at('192.0.2.1'), SSH, 3600, 64);
  await grants.open({ keyId: bob.resolved.keyIdHex, name: 'bob' }, at('192.0.2.2'), SSH, 3600, 64);
  const tick = clientExpiry({ grants, log, clock, current: () => runtime });
  const open = () => [...driver.grants.values()].map((g) => g.address).sort();
  return { tick, open, sink, events, set: (ms: number) => (now = ms) };
}

describe('clientExpiry', () => {
  it('revokes nothing before the instant; at it, every grant of the expired client, with its reason', async () => {
    const s = await setup();
    s.set(T0 + 4999);
    await s.tick();
    expect(s.open()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.9']);
    s.set(T0 + 5400);
    await s.tick();
    expect(s.open()).toEqual(['192.0.2.2']);
    expect(s.events.filter((e) => e.type === 'close').map((e) => [e.client, e.reason])).toEqual([
      ['alice', 'expired'],
      ['alice', 'expired'],
    ]);
    expect(s.sink.events('grant.revoked')).toEqual([
      expect.objectContaining({ client: 'alice', address: '192.0.2.9', reason: 'expired', at: 'expired' }),
    ]);
    expect(s.sink.events('grants.revoked').map((l) => l.count)).toEqual([1, 1]);
  });

  it('looks once per instant: later ticks revoke nothing more and log nothing', async () => {
    const s = await setup();
    s.set(T0 + 6000);
    await s.tick();
    const lines = s.sink.entries.length;
    s.set(T0 + 7000);
    await s.tick();
    s.set(T0 + 8000);
    await s.tick();
    expect(s.sink.entries).toHaveLength(lines);
    expect(s.open()).toEqual(['192.0.2.2']);
  });
});
