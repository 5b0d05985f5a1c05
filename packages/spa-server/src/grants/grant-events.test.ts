/** Grant events as hooks see them: grant, extend, close (with its reason) and expire, each once, per owner. */
import { parseAddress } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/capture-log.js';
import { createFakeDriver } from '../../test/fake-driver.js';
import type { PortSpec } from '../firewall/driver.js';
import { createDaemonLog } from '../observability/log.js';
import { createMetrics } from '../observability/metrics.js';
import type { GrantEvent } from './grant-events.js';
import { createGrantKeeper } from './grant-keeper.js';

const T0 = 1_700_000_000_000;
const SSH: PortSpec[] = [{ protocol: 'tcp', port: 22 }];
const WEB: PortSpec[] = [{ protocol: 'tcp', port: 443 }];
const ADDR = [parseAddress('192.0.2.7')!];
const ALICE = { keyId: 'aa'.repeat(16), name: 'alice' };
const BOB = { keyId: 'bb'.repeat(16), name: 'bob' };
const ssh7 = { family: 4, address: '192.0.2.7', protocol: 'tcp', port: 22 };

function keeper() {
  const clock = { now: T0 };
  const events: GrantEvent[] = [];
  const log = createDaemonLog({
    sink: captureLog(),
    clock: () => clock.now,
    level: 'debug',
    refusalsPerSecond: 1e9,
  });
  const metrics = createMetrics({ replayEntries: () => 0, logSuppressed: () => 0 });
  const driver = createFakeDriver();
  const grants = createGrantKeeper({
    driver,
    clock: () => clock.now,
    log,
    metrics,
    events: (e) => events.push(e),
  });
  const take = () => events.splice(0);
  return { clock, grants, take, driver };
}

describe('grant events', () => {
  it('a knock is a grant, a knock while held an extend, a close request a close', async () => {
    const k = keeper();
    await k.grants.setup([...SSH, ...WEB]);
    await k.grants.open(ALICE, ADDR, SSH, 30, 64);
    expect(k.take()).toEqual([
      { type: 'grant', client: 'alice', targets: [ssh7], expiresAtMs: T0 + 30_000, atMs: T0 },
    ]);
    k.clock.now += 10_000;
    // Same port renewed, another one new: one event of each.
    await k.grants.open(ALICE, ADDR, [...SSH, ...WEB], 60, 64);
    expect(k.take()).toEqual([
      expect.objectContaining({ type: 'grant', targets: [{ ...ssh7, port: 443 }], expiresAtMs: T0 + 70_000 }),
      expect.objectContaining({ type: 'extend', targets: [ssh7], expiresAtMs: T0 + 70_000 }),
    ]);
    await k.grants.close(ALICE, ADDR, SSH);
    expect(k.take()).toEqual([
      { type: 'close', client: 'alice', targets: [ssh7], reason: 'client', atMs: T0 + 10_000 },
    ]);
    // Nothing held there any more: no event.
    await k.grants.close(ALICE, ADDR, SSH);
    expect(k.take()).toEqual([]);
  });

  it('time up: one expire per owner and knock at the next prune, even where another owner keeps the element', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    await k.grants.open(ALICE, [...ADDR, parseAddress('192.0.2.8')!], SSH, 30, 64);
    await k.grants.open(BOB, ADDR, SSH, 300, 64);
    k.take();
    k.clock.now += 30_000;
    k.grants.prune();
    expect(k.take()).toEqual([
      {
        type: 'expire',
        client: 'alice',
        targets: [ssh7, { ...ssh7, address: '192.0.2.8' }],
        expiresAtMs: T0 + 30_000,
        atMs: T0 + 30_000,
      },
    ]);
    k.grants.prune();
    expect(k.take()).toEqual([]);
  });

  it('a knock after the timeout but before a prune is an expire, then a new grant, never an extend', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    await k.grants.open(ALICE, ADDR, SSH, 5, 64);
    k.take();
    k.clock.now += 5_000;
    await k.grants.open(ALICE, ADDR, SSH, 5, 64);
    expect(k.take().map((e) => e.type)).toEqual(['expire', 'grant']);
    k.clock.now += 6_000;
    await k.grants.close(ALICE, ADDR, SSH);
    expect(k.take().map((e) => e.type)).toEqual(['expire']);
  });

  it('revocations are closes with their reason: a duplicate, a reload, a flush', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    await k.grants.open(ALICE, ADDR, SSH, 30, 64);
    await k.grants.revokeConnections(ALICE, ADDR, SSH);
    await k.grants.open(ALICE, ADDR, SSH, 30, 64);
    await k.grants.revokeUnless(() => false);
    await k.grants.open(ALICE, ADDR, SSH, 30, 64);
    await k.grants.open(BOB, ADDR, SSH, 30, 64);
    await k.grants.revokeAll();
    const closes = k.take().filter((e) => e.type === 'close');
    expect(closes.map((e) => [e.client, e.reason])).toEqual([
      ['alice', 'duplicate'],
      ['alice', 'reload'],
      ['alice', 'flush'],
      ['bob', 'flush'],
    ]);
  });

  it('a one-shot grant the rebuilt table does not restore ends as a close with reason repair', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    await k.grants.open({ ...BOB, oneShot: true }, ADDR, SSH, 30, 64);
    k.take();
    k.driver.loseTable();
    await k.grants.checkIntegrity();
    expect(k.take()).toEqual([
      { type: 'close', client: 'bob', targets: [{ ...ssh7, once: true }], reason: 'repair', atMs: T0 },
    ]);
  });
});
