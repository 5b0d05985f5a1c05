/** Grant ownership: independent expiries per client, close of one's own share, revocation by key, a ledger bounded by expiry. */

import { nodeBackend } from 'spa-node';
import { parseAddress } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/capture-log.js';
import { createFakeDriver } from '../../test/fake-driver.js';
import { makeClient, makeFixture } from '../../test/fixtures.js';
import type { PortSpec } from '../firewall/driver.js';
import { createDaemonLog } from '../observability/log.js';
import { createMetrics } from '../observability/metrics.js';
import { buildRuntime } from '../pipeline/runtime.js';
import { stillAllowed } from '../pipeline/still-allowed.js';
import { SERVER_ERROR_CODES } from '../shared/server-error.js';
import { createGrantKeeper } from './grant-keeper.js';

const T0 = 1_700_000_000_000;
const SSH: PortSpec[] = [{ protocol: 'tcp', port: 22 }];
const ADDR = [parseAddress('192.0.2.7')!];
const ALICE = { keyId: 'aa'.repeat(16), name: 'alice' };
const BOB = { keyId: 'bb'.repeat(16), name: 'bob' };
/** How the element comments name them: the name and the key id's first 12 hex digits. */
const A = 'alice:aaaaaaaaaaaa';
const B = 'bob:bbbbbbbbbbbb';

function keeper() {
  const clock = { now: T0 };
  const driver = createFakeDriver();
  const log = createDaemonLog({
    sink: captureLog(),
    clock: () => clock.now,
    level: 'debug',
    refusalsPerSecond: 1e9,
  });
  const metrics = createMetrics({ replayEntries: () => 0, logSuppressed: () => 0 });
  const grants = createGrantKeeper({ driver, clock: () => clock.now, log, metrics });
  const element = () => [...driver.grants.values()][0];
  return { clock, driver, grants, element };
}

describe('grant keeper: ownership', () => {
  it('two clients on one address and port: the element lasts until the later, a shorter grant never shortens it', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    await k.grants.open(ALICE, ADDR, SSH, 300, 64);
    await k.grants.open(BOB, ADDR, SSH, 30, 64);
    expect(k.element()).toMatchObject({ timeoutSeconds: 300, client: `${A},${B}` });
    // Alice's own shorter re-knock does not cut her grant either.
    await k.grants.open(ALICE, ADDR, SSH, 10, 64);
    expect(k.element()).toMatchObject({ timeoutSeconds: 300 });
  });

  it('close removes only the caller share: the element falls back to the other owner, then goes', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    await k.grants.open(ALICE, ADDR, SSH, 300, 64);
    await k.grants.open(BOB, ADDR, SSH, 30, 64);
    k.clock.now += 5_000;
    expect(await k.grants.close(ALICE, ADDR, SSH)).toEqual([]);
    expect(k.element()).toMatchObject({ timeoutSeconds: 25, client: B });
    // A client that holds nothing there closes nothing of bob's.
    await k.grants.close({ keyId: 'cc'.repeat(16), name: 'carol' }, ADDR, SSH);
    expect(k.element()).toMatchObject({ client: B });
    expect(await k.grants.close(BOB, ADDR, SSH)).toHaveLength(1);
    expect(k.driver.grants.size).toBe(0);
  });

  it('caps the live grants of one client, counting renewals once', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    const two = [parseAddress('192.0.2.1')!, parseAddress('192.0.2.2')!];
    await k.grants.open(ALICE, two, SSH, 1, 2);
    await k.grants.open(ALICE, two, SSH, 1, 2);
    await expect(k.grants.open(ALICE, ADDR, SSH, 1, 2)).rejects.toMatchObject({
      code: SERVER_ERROR_CODES.grantLimit,
    });
    await k.grants.open(BOB, ADDR, SSH, 1, 2);
    k.clock.now += 2_000; // alice's grants expired: room again
    await k.grants.open(ALICE, ADDR, SSH, 1, 2);
  });

  it('after 100,000 one-second grants expire, the ledger holds none', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    const opens: Promise<number>[] = [];
    // 1,000 clients, each granted 100 addresses in one knock: 100,000 grants, half of them IPv6 (one
    // family's set holds 65,536), arriving over a second.
    for (let c = 0; c < 1000; c++) {
      const addresses = Array.from({ length: 100 }, (_, j) =>
        c % 2 === 0
          ? parseAddress(`10.${c >> 8}.${c & 255}.${j + 1}`)!
          : parseAddress(`2001:db8:${c.toString(16)}::${(j + 1).toString(16)}`)!,
      );
      const owner = { keyId: c.toString(16).padStart(32, '0'), name: `c${c}` };
      opens.push(k.grants.open(owner, addresses, SSH, 1, 1_000));
      k.clock.now += 1;
    }
    await Promise.all(opens);
    expect(k.grants.size()).toBeGreaterThanOrEqual(100_000);
    k.clock.now += 2_000;
    await k.grants.prune();
    expect(k.grants.size()).toBe(0);
    expect([...k.grants.live()]).toEqual([]);
  }, 60_000);
});

describe('grant keeper: bounds and expiry at scale', () => {
  it('refuses a new element beyond the per-family bound, counted as grants-full; renewals and the other family still pass', async () => {
    const clock = { now: T0 };
    const driver = createFakeDriver();
    const log = createDaemonLog({
      sink: captureLog(),
      clock: () => clock.now,
      level: 'debug',
      refusalsPerSecond: 1e9,
    });
    const metrics = createMetrics({ replayEntries: () => 0, logSuppressed: () => 0 });
    const grants = createGrantKeeper({ driver, clock: () => clock.now, log, metrics, maxGrantsPerFamily: 2 });
    await grants.setup(SSH);
    const two = [parseAddress('192.0.2.1')!, parseAddress('192.0.2.2')!];
    await grants.open(ALICE, two, SSH, 60, 64);
    await expect(grants.open(BOB, ADDR, SSH, 60, 64)).rejects.toMatchObject({
      code: SERVER_ERROR_CODES.grantsFull,
    });
    await grants.open(BOB, two, SSH, 60, 64); // same elements, another owner: nothing new
    await grants.open(BOB, [parseAddress('2001:db8::7')!], SSH, 60, 64);
    expect(driver.grants.size).toBe(3);
    clock.now += 61_000;
    await grants.prune();
    await grants.open(BOB, ADDR, SSH, 60, 64);
  });

  it('while 100,000 expired grants are swept, a knock is granted before the sweep ends', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    for (let c = 0; c < 1000; c++) {
      const addresses = Array.from(
        { length: 100 },
        (_, j) =>
          parseAddress(
            c % 2 === 0 ? `10.${c >> 8}.${c & 255}.${j + 1}` : `2001:db8:${c.toString(16)}::${j + 1}`,
          )!,
      );
      await k.grants.open({ keyId: c.toString(16).padStart(32, '0'), name: `c${c}` }, addresses, SSH, 1, 100);
    }
    k.clock.now += 2_000;
    const order: string[] = [];
    const sweep = k.grants.prune().then(() => order.push('swept'));
    const knock = k.grants.open(ALICE, ADDR, SSH, 60, 64).then(() => order.push('granted'));
    await Promise.all([sweep, knock]);
    expect(order).toEqual(['granted', 'swept']);
    expect([...k.grants.live()].map((g) => g.client)).toEqual([A]);
  }, 60_000);
});

describe('grant keeper: grants an earlier run left in the kernel', () => {
  const kept = (address: string, seconds: number, client = 'alice', once?: true) => ({
    family: 4 as const,
    address,
    protocol: 'tcp' as const,
    port: 22,
    ...(once ? { once } : {}),
    client,
    owners: [client],
    expiresInSeconds: seconds,
  });

  it('are reported until their own end, never twice, and not after a flush', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    k.grants.inherit([
      kept('192.0.2.7', 30),
      kept('192.0.2.8', 5, 'bob'),
      kept('192.0.2.9', 30, 'carol', true),
    ]);
    // One-shot elements are status's to read from the kernel, which deletes a spent one itself.
    expect([...k.grants.live()].map((g) => [g.address, g.client, g.timeoutSeconds])).toEqual([
      ['192.0.2.7', 'alice', 30],
      ['192.0.2.8', 'bob', 5],
    ]);
    // A new knock for one takes it over: the ledger's grant, once.
    await k.grants.open(ALICE, ADDR, SSH, 60, 64);
    k.clock.now += 6_000;
    expect([...k.grants.live()].map((g) => [g.address, g.client, g.timeoutSeconds])).toEqual([
      ['192.0.2.7', A, 54],
    ]);
    k.grants.inherit([kept('192.0.2.8', 30, 'bob')]);
    await k.grants.revokeAll();
    expect([...k.grants.live()]).toEqual([]);
  });

  it('a knock or a close that rewrites or deletes the element ends the inherited entry', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    k.grants.inherit([kept('192.0.2.7', 3000)]);
    await k.grants.open(ALICE, ADDR, SSH, 60, 64);
    await k.grants.close(ALICE, ADDR, SSH);
    expect([...k.driver.grants.values()]).toEqual([]);
    expect([...k.grants.live()]).toEqual([]);
    // A close of an element only the kernel knew deletes it too.
    k.grants.inherit([kept('192.0.2.7', 3000)]);
    await k.grants.close(ALICE, ADDR, SSH);
    expect([...k.grants.live()]).toEqual([]);
  });

  it("a close removes one only for the sole owner its comment names: another key holder's close leaves it", async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    // What the earlier run left in the kernel, as the daemon reads it at start.
    const leave = async (...grants: ReturnType<typeof kept>[]) => {
      for (const g of grants) await k.driver.grant([{ ...g, timeoutSeconds: g.expiresInSeconds }]);
      k.grants.inherit(await k.driver.list());
    };
    const shared = { ...kept('192.0.2.7', 3000, 'alice,carol'), owners: ['alice', 'carol'] };
    await leave(shared, kept('192.0.2.7', 3000, 'alice', true));
    const revokes = () => k.driver.calls.filter((c) => c.op === 'revoke');

    expect(await k.grants.close(BOB, ADDR, SSH)).toEqual([]);
    expect(await k.grants.close({ ...BOB, oneShot: true }, ADDR, SSH)).toEqual([]);
    expect(revokes()).toEqual([]);
    expect(k.driver.grants.size).toBe(2);
    // Still shown: a refused close is no reason to forget whose it is.
    expect([...k.grants.live()].map((g) => g.client)).toEqual(['alice,carol']);

    // A shared element is closed by nobody: removing it would end carol's access too, and their
    // ends are unknown. The one alice alone holds, her close removes.
    expect(await k.grants.close(ALICE, ADDR, SSH)).toEqual([]);
    expect(await k.grants.close({ ...ALICE, oneShot: true }, ADDR, SSH)).toEqual([
      { ...targetOf(ADDR[0]!), once: true },
    ]);
    expect(k.driver.grants.size).toBe(1);
    expect([...k.grants.live()].map((g) => g.client)).toEqual(['alice,carol']);
  });

  it('an owner elided as +N cannot close it, nor anyone once its end has passed or when the start could not list it', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    const long = Array.from({ length: 12 }, (_, i) => `client-with-a-long-name-${i}`);
    const comment = `${long.slice(0, 4).join(',')},+8`;
    await k.driver.grant([{ ...kept('192.0.2.7', 30, comment), timeoutSeconds: 30 }]);
    k.grants.inherit(await k.driver.list());
    const elided = { keyId: 'ee'.repeat(16), name: long[11]! };
    expect(await k.grants.close(elided, ADDR, SSH)).toEqual([]);
    expect(k.driver.grants.size).toBe(1);
    // A named owner, once the element's end has passed: the kernel has removed it, nothing to do.
    k.clock.now += 31_000;
    const named = { keyId: 'ff'.repeat(16), name: long[0]! };
    expect(await k.grants.close(named, ADDR, SSH)).toEqual([]);
    // Nothing listed (the start's listing failed): whose it is cannot be told, so nobody's close removes it.
    k.grants.inherit([]);
    expect(await k.grants.close(ALICE, ADDR, SSH)).toEqual([]);
    expect(k.driver.calls.filter((c) => c.op === 'revoke')).toEqual([]);
  });

  it("a duplicate's revoke cuts the connections of a grant already expired, never those of an element left to others", async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    const forgotten = () => k.driver.calls.filter((c) => c.op === 'forgetConnections');
    await k.grants.open(BOB, ADDR, SSH, 1, 64);
    k.clock.now += 2_000; // the grant ended; a connection it admitted may still run
    await k.grants.revokeConnections(BOB, ADDR, SSH);
    expect(forgotten()).toEqual([{ op: 'forgetConnections', targets: [targetOf(ADDR[0]!)] }]);
    k.grants.inherit([kept('192.0.2.7', 3000)]);
    await k.grants.revokeConnections(BOB, ADDR, SSH);
    expect(forgotten()).toHaveLength(1);
  });

  it('after a repair or a failed flush, status shows what the kernel still holds', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    await k.grants.open(ALICE, ADDR, SSH, 60, 64);
    k.grants.inherit([kept('192.0.2.8', 30, 'bob')]);
    k.driver.loseTable(); // the fake loses every element: only the ledger's come back
    await k.grants.checkIntegrity();
    expect([...k.grants.live()].map((g) => g.address)).toEqual(['192.0.2.7']);
    k.driver.failNext('revokeAll');
    await expect(k.grants.revokeAll()).rejects.toThrow();
    expect([...k.grants.live()].map((g) => [g.address, g.client])).toEqual([['192.0.2.7', A]]);
  });
});

describe('grant keeper: one-shot grants', () => {
  const CAROL = { keyId: 'cc'.repeat(16), name: 'carol', oneShot: true };
  const DAVE = { keyId: 'dd'.repeat(16), name: 'dave', oneShot: true };

  it('a one-shot owner gets its own element, apart from a plain grant of the same address and port', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    await k.grants.open(ALICE, ADDR, SSH, 300, 64);
    await k.grants.open(CAROL, ADDR, SSH, 30, 64);
    expect([...k.driver.grants.values()]).toEqual([
      expect.objectContaining({ client: A, timeoutSeconds: 300 }),
      expect.objectContaining({ client: 'carol:cccccccccccc', timeoutSeconds: 30, once: true }),
    ]);
    expect(k.driver.grants.get('4|192.0.2.7|tcp|22')).not.toHaveProperty('once');
  });

  it('a rebuilt table gets the plain grants back, never a one-shot one a connection may have spent', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    await k.grants.open(ALICE, ADDR, SSH, 300, 64);
    await k.grants.open(CAROL, ADDR, SSH, 300, 64);
    k.driver.loseTable();
    await k.grants.checkIntegrity();
    expect([...k.driver.grants.values()].map((g) => g.client)).toEqual([A]);
    // Forgotten, not only left out: it counts against carol's cap no more.
    expect([...k.grants.live()].map((g) => g.client)).toEqual([A]);
  });

  it('closing a spent one-shot grant succeeds, and one still shared is not re-added', async () => {
    const k = keeper();
    await k.grants.setup(SSH);
    await k.grants.open(CAROL, ADDR, SSH, 300, 64);
    await k.grants.open(DAVE, ADDR, SSH, 30, 64);
    k.driver.grants.clear(); // the first connection spent the element in the kernel
    const calls = k.driver.calls.length;
    expect(await k.grants.close(CAROL, ADDR, SSH)).toEqual([]);
    expect(k.driver.grants.size).toBe(0);
    expect(k.driver.calls).toHaveLength(calls);
    expect(await k.grants.close(DAVE, ADDR, SSH)).toEqual([{ ...targetOf(ADDR[0]!), once: true }]);
    expect(k.driver.calls.at(-1)).toMatchObject({ op: 'revoke' });
  });
});

function targetOf(address: { family: 4 | 6; text: string }) {
  return { family: address.family, address: address.text, protocol: 'tcp', port: 22 };
}

describe('grant keeper: reload revokes by key and by service', () => {
  it('a key rotated under the same name keeps none of the old key grants; a removed service ends its grants', async () => {
    const old = makeClient('alice');
    const fx = makeFixture({}, [old]);
    const k = keeper();
    await k.grants.setup(SSH);
    const owner = { keyId: old.resolved.keyIdHex, name: 'alice' };
    await k.grants.open(owner, ADDR, [...SSH, { protocol: 'tcp', port: 443 }], 300, 64);

    const rotated = makeFixture({}, [makeClient('alice')]); // same name, new key
    await k.grants.revokeUnless((keyId, t) =>
      stillAllowed(buildRuntime(rotated.config, nodeBackend), keyId, t, k.clock.now),
    );
    expect(k.driver.grants.size).toBe(0);

    await k.grants.open(owner, ADDR, [...SSH, { protocol: 'tcp', port: 443 }], 300, 64);
    const sshOnly = buildRuntime(
      { ...fx.config, clients: [{ ...old.resolved, services: ['ssh'] }] },
      nodeBackend,
    );
    await k.grants.revokeUnless((keyId, t) => stillAllowed(sshOnly, keyId, t, k.clock.now));
    expect([...k.driver.grants.values()].map((g) => g.port)).toEqual([22]);
  });

  it('a client made one-shot by a reload loses its plain grants, and keeps its one-shot ones', async () => {
    const alice = makeClient('alice');
    const fx = makeFixture({}, [alice]);
    const k = keeper();
    await k.grants.setup(SSH);
    const owner = { keyId: alice.resolved.keyIdHex, name: 'alice' };
    await k.grants.open(owner, ADDR, SSH, 300, 64);
    const oneShot = buildRuntime(
      { ...fx.config, clients: [{ ...alice.resolved, oneShot: true }] },
      nodeBackend,
    );
    await k.grants.revokeUnless((keyId, t) => stillAllowed(oneShot, keyId, t, k.clock.now));
    expect(k.driver.grants.size).toBe(0);
    await k.grants.open({ ...owner, oneShot: true }, ADDR, SSH, 300, 64);
    await k.grants.revokeUnless((keyId, t) => stillAllowed(oneShot, keyId, t, k.clock.now));
    expect([...k.driver.grants.values()]).toEqual([expect.objectContaining({ once: true })]);
  });
});
