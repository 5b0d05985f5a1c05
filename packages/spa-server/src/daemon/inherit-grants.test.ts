/** A start's check of the grants an earlier run left: kept while an owner may still hold them, revoked (kernel, log, hooks) otherwise. */
import { nodeBackend } from 'spa-node';
import { parseAddress } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/capture-log.js';
import { createFakeDriver } from '../../test/fake-driver.js';
import { makeClient, makeFixture } from '../../test/fixtures.js';
import type { Grant } from '../firewall/driver.js';
import type { GrantEvent } from '../grants/grant-events.js';
import { createGrantKeeper } from '../grants/grant-keeper.js';
import { createDaemonLog } from '../observability/log.js';
import { createMetrics } from '../observability/metrics.js';
import { buildRuntime } from '../pipeline/runtime.js';
import { inheritGrants, REVOKED_LINES_MAX, recheckInherited } from './inherit-grants.js';

const NOW = 1_700_000_000_000;

/** The daemon's start as far as grants go: a kernel holding `left`, a configuration of `clients`. */
async function restart(
  left: readonly Grant[],
  clients = defaultClients(),
  options: { failRevoke?: boolean } = {},
) {
  const driver = createFakeDriver();
  for (const g of left) driver.grants.set(`${g.family}|${g.address}|${g.protocol}|${g.port}`, g);
  if (options.failRevoke) driver.failNext('revoke');
  const sink = captureLog();
  const clock = () => NOW;
  const log = createDaemonLog({ sink, clock, level: 'debug', refusalsPerSecond: 1e9 });
  const metrics = createMetrics({ replayEntries: () => 0, logSuppressed: () => 0 });
  const events: GrantEvent[] = [];
  const grants = createGrantKeeper({ driver, clock, log, metrics, events: (e) => events.push(e) });
  const runtime = buildRuntime(makeFixture({}, clients).config, nodeBackend);
  await inheritGrants({ driver, grants, log, runtime, clock });
  const open = [...driver.grants.values()].map((g) => g.address);
  const shown = [...grants.live()].map((g) => g.address);
  /** A reload to `next` clients: checks what was kept against it, then tells what the kernel holds. */
  const reload = async (next: ReturnType<typeof makeClient>[]) => {
    const runtime = buildRuntime(makeFixture({}, next).config, nodeBackend);
    await recheckInherited({ grants, log, runtime, clock });
    return {
      open: [...driver.grants.values()].map((g) => g.address),
      shown: [...grants.live()].map((g) => g.address),
    };
  };
  return { open, shown, sink, events, metrics, grants, reload };
}

function defaultClients() {
  return [
    makeClient('bob', { services: ['ssh'] }),
    makeClient('carol', { expiresAtMs: NOW - 1 }),
    makeClient('dave', { services: ['dns'] }),
  ];
}

const ssh = (address: string, client: string): Grant => ({
  family: 4,
  address,
  protocol: 'tcp',
  port: 22,
  client,
  timeoutSeconds: 600,
});

describe('inheritGrants: a restart keeps only what the configuration still allows', () => {
  it('revokes the grants of removed, expired and narrowed clients; keeps the rest for status', async () => {
    const r = await restart([
      ssh('192.0.2.1', 'alice'), // not configured any more
      ssh('192.0.2.2', 'bob'),
      ssh('192.0.2.3', 'carol'), // expired while the daemon was stopped
      ssh('192.0.2.4', 'dave'), // ssh taken away
      ssh('192.0.2.5', 'alice,bob'), // bob still holds it
      ssh('192.0.2.6', 'alice,+3'), // owners the comment had no room for cannot be checked
    ]);
    expect(r.open).toEqual(['192.0.2.2', '192.0.2.5']);
    expect(r.shown).toEqual(['192.0.2.2', '192.0.2.5']);
    expect(r.sink.events('grant.revoked').map((l) => [l.address, l.client, l.port, l.reason])).toEqual([
      ['192.0.2.1', 'alice', 'tcp/22', 'removed'],
      ['192.0.2.3', 'carol', 'tcp/22', 'expired'],
      ['192.0.2.4', 'dave', 'tcp/22', 'changed'],
      ['192.0.2.6', 'alice,+3', 'tcp/22', 'removed'],
    ]);
    expect(r.sink.events('grants.revoked')).toEqual([expect.objectContaining({ level: 'info', count: 4 })]);
    // Hooks hear of each owner's access ending, by name.
    expect(r.events.map((e) => [e.type, e.client, e.reason, e.targets.map((t) => t.address)])).toEqual([
      ['close', 'alice', 'restart', ['192.0.2.1', '192.0.2.6']],
      ['close', 'carol', 'restart', ['192.0.2.3']],
      ['close', 'dave', 'restart', ['192.0.2.4']],
    ]);
  });

  it('revokes nothing and logs nothing when every grant is still allowed', async () => {
    const r = await restart([ssh('192.0.2.2', 'bob')]);
    expect(r.open).toEqual(['192.0.2.2']);
    expect(r.shown).toEqual(['192.0.2.2']);
    expect(r.sink.events('grant.revoked')).toEqual([]);
    expect(r.sink.events('grants.revoked')).toEqual([]);
  });

  it('a failed revoke is logged and counted; status goes on showing what the kernel still holds', async () => {
    const r = await restart([ssh('192.0.2.1', 'alice'), ssh('192.0.2.2', 'bob')], undefined, {
      failRevoke: true,
    });
    expect(r.open).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(r.shown).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(r.sink.events('firewall.failed')).toEqual([expect.objectContaining({ operation: 'revoke' })]);
    expect(r.metrics.snapshot().firewallFailures).toBe(1);
    expect(r.sink.events('grant.revoked')).toEqual([]);
  });

  it(`names at most ${REVOKED_LINES_MAX} revoked grants; the count covers all`, async () => {
    const many = Array.from({ length: REVOKED_LINES_MAX + 20 }, (_, i) =>
      ssh(`198.51.100.${i + 1}`, 'alice'),
    );
    const r = await restart(many);
    expect(r.open).toEqual([]);
    expect(r.sink.events('grant.revoked')).toHaveLength(REVOKED_LINES_MAX);
    expect(r.sink.events('grants.revoked')).toEqual([
      expect.objectContaining({ count: REVOKED_LINES_MAX + 20 }),
    ]);
  });
});

describe('inheritGrants: a key rotated under the same name', () => {
  const bob = makeClient('bob', { services: ['ssh'] });
  const tag = bob.resolved.keyIdHex.slice(0, 12);

  it("revokes an element the old key opened (its tag is not the key's); keeps the key's own and an older build's untagged one", async () => {
    const r = await restart(
      [
        ssh('192.0.2.1', 'bob:0123456789ab'), // opened by bob's key before the rotation
        ssh('192.0.2.2', `bob:${tag}`),
        ssh('192.0.2.3', 'bob'), // written by a build that kept no tag
        ssh('192.0.2.4', `carol:0123456789ab,bob:${tag}`), // bob's own share keeps it
      ],
      [bob],
    );
    expect(r.open).toEqual(['192.0.2.2', '192.0.2.3', '192.0.2.4']);
    expect(r.sink.events('grant.revoked').map((l) => [l.address, l.client, l.reason])).toEqual([
      ['192.0.2.1', 'bob', 'rotated'],
    ]);
  });
});

describe('recheckInherited: a reload checks again what the start kept', () => {
  it('revokes a kept grant whose owner the reload removes, and one whose service it takes away; keeps the rest', async () => {
    const r = await restart(
      [
        ssh('192.0.2.2', 'bob'),
        ssh('192.0.2.5', 'alice,bob'),
        ssh('192.0.2.7', 'erin'),
        ssh('192.0.2.8', 'frank'),
      ],
      [
        makeClient('bob', { services: ['ssh'] }),
        makeClient('erin', { services: ['ssh'] }),
        makeClient('frank', { services: ['ssh'] }),
      ],
    );
    expect(r.open).toEqual(['192.0.2.2', '192.0.2.5', '192.0.2.7', '192.0.2.8']);
    const after = await r.reload([
      makeClient('erin', { services: ['ssh'] }),
      makeClient('frank', { services: ['dns'] }),
    ]);
    expect(after.open).toEqual(['192.0.2.7']);
    expect(after.shown).toEqual(['192.0.2.7']);
    expect(r.sink.events('grant.revoked').map((l) => [l.address, l.client, l.reason, l.at])).toEqual([
      ['192.0.2.2', 'bob', 'removed', 'reload'],
      ['192.0.2.5', 'alice,bob', 'removed', 'reload'],
      ['192.0.2.8', 'frank', 'changed', 'reload'],
    ]);
    expect(r.events.map((e) => [e.type, e.client, e.reason])).toEqual([
      ['close', 'bob', 'reload'],
      ['close', 'alice', 'reload'],
      ['close', 'frank', 'reload'],
    ]);
  });

  it('leaves an element a knock has taken over since to the ledger', async () => {
    const r = await restart([ssh('192.0.2.2', 'bob')]);
    const address = parseAddress('192.0.2.2');
    if (!address) throw new Error('unparsed');
    await r.grants.open(
      { keyId: 'bob-key', name: 'bob' },
      [address],
      [{ protocol: 'tcp', port: 22 }],
      600,
      100,
    );
    const after = await r.reload([]);
    expect(after.open).toEqual(['192.0.2.2']);
    expect(r.sink.events('grant.revoked')).toEqual([]);
  });
});
