/** The grant keeper failing closed: revoke-all forgets what a rebuild could restore; a deletion seen during a check gets a check of its own; reading the table holds no grant up. */
import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/capture-log.js';
import { createFakeDriver } from '../../test/fake-driver.js';
import { createDaemonLog } from '../observability/log.js';
import { createMetrics } from '../observability/metrics.js';
import { createGrantKeeper } from './grant-keeper.js';

const SSH = [{ protocol: 'tcp', port: 22 }] as const;
const ALICE = [{ family: 4, text: '10.0.0.1' }] as const;

function keeper() {
  const driver = createFakeDriver();
  const log = captureLog();
  const now = () => 1_000_000;
  const grants = createGrantKeeper({
    driver,
    clock: now,
    log: createDaemonLog({ sink: log, clock: now, level: 'debug', refusalsPerSecond: 100 }),
    metrics: createMetrics({ replayEntries: () => 0, logSuppressed: () => 0 }),
  });
  return { driver, log, grants };
}

describe('grant keeper', () => {
  it('revokeAll empties the kernel sets and the ledger; a later rebuild restores nothing', async () => {
    const { driver, log, grants } = keeper();
    await grants.setup(SSH);
    await grants.open({ keyId: 'a1', name: 'alice' }, ALICE as never, SSH, 60, 64);
    expect(driver.grants.size).toBe(1);
    await grants.revokeAll();
    expect(driver.grants.size).toBe(0);
    expect([...grants.live()]).toEqual([]);
    expect(log.events('grants.revoked')).toMatchObject([{ count: 1 }]);
    driver.loseTable();
    await grants.checkIntegrity();
    expect(driver.intact).toBe(true);
    expect(driver.grants.size).toBe(0);
    expect(grants.protectedPorts()).toEqual(SSH);
  });

  it('a check asked for while one runs runs again after it (the deletion may postdate its read)', async () => {
    const { driver, grants } = keeper();
    await grants.setup(SSH);
    const read = driver.isIntact.bind(driver);
    let reads = 0;
    driver.isIntact = async () => {
      const intact = await read();
      if (++reads === 1) {
        // Deleted just after this read; the kernel event asks for a check while this one runs.
        driver.loseTable();
        void grants.checkIntegrity();
      }
      return intact;
    };
    await grants.checkIntegrity();
    await new Promise((r) => setTimeout(r, 10));
    expect(driver.intact).toBe(true);
    // The second check read it missing beside the queue, then again in it before repairing.
    expect(driver.calls.filter((c) => c.op === 'isIntact')).toHaveLength(3);
  });

  it('a grant does not wait for an integrity check that is reading the table', async () => {
    const { driver, grants } = keeper();
    await grants.setup(SSH);
    const read = driver.isIntact.bind(driver);
    let finishRead = (): void => {};
    driver.isIntact = () => new Promise((r) => (finishRead = () => r(read())));
    const checking = grants.checkIntegrity();
    await grants.open({ keyId: 'a1', name: 'alice' }, ALICE as never, SSH, 60, 64);
    expect(driver.grants.size).toBe(1);
    finishRead();
    await checking;
  });

  it('a table found damaged beside the queue is read again in it, and not rebuilt when it was a passing state', async () => {
    const { driver, log, grants } = keeper();
    await grants.setup(SSH);
    const read = driver.isIntact.bind(driver);
    let reads = 0;
    driver.isIntact = async () => (++reads === 1 ? false : read());
    await grants.checkIntegrity();
    expect(reads).toBe(2);
    expect(log.events('firewall.missing')).toEqual([]);
  });
});
