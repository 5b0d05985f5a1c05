/** The nftables driver in a lab: the firewall contract, plus what is specific to its long-lived nft process. */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Lab } from 'spa-test-kit/lab/netns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpentSetFull, SPENT_CAPACITY } from '../../src/firewall/knock-gate.js';
import { NftIncludeFiles } from '../../src/firewall/nftables/nft-include.js';
import { NftablesDriver } from '../../src/firewall/nftables/nftables.js';
import { NFT_DIALECT } from '../../src/firewall/process/ack-reader.js';
import { LineShell } from '../../src/firewall/process/line-shell.js';
import { toolCommand } from '../../src/firewall/process/tool-command.js';
import { describeFirewallContract } from './firewall-contract.js';

const TABLE = 'spa_e2e';
const SEND_DATAGRAM = agentPath('send-datagram.mjs');
const GATE_PORT = 62201;

/** Polls the gate's counters (read in the background) until `until` holds them, or 10 s pass. */
async function dropsUntil(
  driver: NftablesDriver,
  until: (drops: Readonly<Record<string, number>>) => boolean,
): Promise<Readonly<Record<string, number>> | undefined> {
  const end = Date.now() + 10_000;
  for (;;) {
    const drops = await driver.knockGate?.drops();
    if ((drops && until(drops)) || Date.now() > end) return drops;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `add element` lines for `n` plain grants of port 22, half in each family (a set holds 65,536). */
function grantScript(table: string, n: number): string {
  const lines: string[] = [];
  for (const family of [4, 6] as const) {
    let elements: string[] = [];
    for (let i = 0; i < n / 2; i++) {
      const address =
        family === 4 ? `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` : `fd00::${i.toString(16)}`;
      elements.push(`${address} . tcp . 22 timeout 600s`);
      if (elements.length === 2048 || i === n / 2 - 1) {
        lines.push(`add element inet ${table} allow${family} { ${elements.join(', ')} }`);
        elements = [];
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Runs one nft script in namespace `ns`, as an admin or another tool would. */
const nftIn = (ns: string, script: string) => execa('ip', ['netns', 'exec', ns, 'nft', script]);

describeFirewallContract({
  label: 'nftables',
  make: (netns, options = {}) => new NftablesDriver({ table: TABLE, netns, ...options }),
  makeMissingTool: (netns) => new NftablesDriver({ table: TABLE, netns, nftPath: '/nonexistent/sbin/nft' }),
  deleteUnderneath: async (server) => {
    await server.exec('nft', ['delete', 'table', 'inet', TABLE]);
  },
  makeDormant: async (server) => {
    await server.exec('nft', ['add', 'table', 'inet', TABLE, '{ flags dormant; }']);
  },
});

// The daemon's listings go through resident `nft -j -i` processes: the whole contract again through them.
describeFirewallContract({
  label: 'nftables, resident listings',
  make: (netns, options = {}) =>
    new NftablesDriver({ table: TABLE, netns, residentListings: true, ...options }),
  makeMissingTool: (netns) =>
    new NftablesDriver({ table: TABLE, netns, residentListings: true, nftPath: '/nonexistent/sbin/nft' }),
  deleteUnderneath: async (server) => {
    await server.exec('nft', ['delete', 'table', 'inet', TABLE]);
  },
  makeDormant: async (server) => {
    await server.exec('nft', ['add', 'table', 'inet', TABLE, '{ flags dormant; }']);
  },
});

describe('nftables driver specifics', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await createLab(['server']);
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('touches no table but its own, and two instances with different tables coexist', async () => {
    const { ns } = lab.host('server');
    await nftIn(
      ns,
      'add table inet other; add chain inet other c { type filter hook input priority 0; policy accept; }',
    );
    const a = new NftablesDriver({ table: 'spa_a', netns: ns });
    const b = new NftablesDriver({ table: 'spa_b', netns: ns });
    await a.setup([{ protocol: 'tcp', port: 22 }]);
    await b.setup([{ protocol: 'tcp', port: 23 }]);
    await a.grant([
      { family: 4, address: '10.1.2.3', protocol: 'tcp', port: 22, timeoutSeconds: 60, client: 'a' },
    ]);
    await a.flush();
    expect(await b.isIntact()).toBe(true);
    const { stdout } = await execa('ip', ['netns', 'exec', ns, 'nft', 'list', 'tables']);
    expect(stdout.split('\n').sort()).toEqual(['table inet other', 'table inet spa_b']);
    await Promise.all([a.close(), b.close()]);
  });

  it('resident listings see every change underneath at once, and outlive a killed nft', async () => {
    const { ns } = lab.host('server');
    const driver = new NftablesDriver({ table: 'spa_res', netns: ns, residentListings: true });
    await driver.setup([{ protocol: 'tcp', port: 22 }]);
    const grant = {
      family: 4 as const,
      address: '10.1.2.3',
      protocol: 'tcp' as const,
      port: 22,
      timeoutSeconds: 60,
      client: 'a',
    };
    await driver.grant([grant]);
    expect(await driver.isIntact()).toBe(true);
    expect((await driver.list()).map((g) => g.address)).toEqual(['10.1.2.3']);
    // This namespace's listers only: other tests (and a daemon on the host) run listers of their own,
    // which this test must neither count nor kill.
    const listers = async () => {
      const ours = new Set((await execa('ip', ['netns', 'pids', ns])).stdout.split('\n'));
      return (await execa('pgrep', ['-f', '^/usr/sbin/nft -j( -t)? -i$'], { reject: false })).stdout
        .split('\n')
        .filter((pid) => pid !== '' && ours.has(pid));
    };
    const before = await listers();
    expect(before.length).toBeGreaterThan(0);
    // Another tool empties the protected set: the next listing says so, from the same process.
    await nftIn(ns, 'flush set inet spa_res protected');
    expect(await driver.isIntact()).toBe(false);
    await driver.setup([{ protocol: 'tcp', port: 22 }]);
    expect(await driver.isIntact()).toBe(true);
    // A killed lister is replaced at the next listing.
    await execa('kill', ['-9', ...before]);
    await new Promise((r) => setTimeout(r, 100));
    expect((await driver.list()).map((g) => g.address)).toEqual(['10.1.2.3']);
    // A listing of many 64 KiB pipe reads (~1 MiB of JSON) comes back whole, as one answer.
    const many = Array.from({ length: 5000 }, (_, i) => ({ ...grant, address: `10.9.${i >> 8}.${i & 255}` }));
    await driver.grant(many);
    expect((await driver.list()).length).toBe(5001);
    expect(await driver.isIntact()).toBe(true);
    await nftIn(ns, 'delete table inet spa_res');
    expect(await driver.isIntact()).toBe(false);
    expect(await driver.list()).toEqual([]);
    await driver.close();
    const left = await listers();
    expect(left.filter((pid) => !before.includes(pid))).toEqual([]);
  });

  it('rebuilds a table of another shape, keeping the grants with time left', async () => {
    const { ns } = lab.host('server');
    // An older layout: the IPv4 set without size and the chain at another priority (nft cannot change those).
    await nftIn(
      ns,
      'add table inet spa_old; add set inet spa_old allow4 { type ipv4_addr . inet_proto . inet_service; flags timeout; }; add element inet spa_old allow4 { 10.9.9.9 . tcp . 22 timeout 90s comment "kept" }; add chain inet spa_old input { type filter hook input priority 10; }',
    );
    const driver = new NftablesDriver({ table: 'spa_old', netns: ns });
    await driver.setup([{ protocol: 'tcp', port: 22 }]);
    expect(await driver.isIntact()).toBe(true);
    const [kept] = await driver.list();
    expect(kept).toMatchObject({ address: '10.9.9.9', client: 'kept' });
    expect(kept?.expiresInSeconds).toBeGreaterThan(80);
    await driver.close();
  });

  it("installs a fleet's 30,000 gate tags in well under a second, in order with the grants around them", async () => {
    const { ns } = lab.host('server');
    const driver = new NftablesDriver({ table: 'spa_fleet', netns: ns, knockGate: { ports: [62201] } });
    const tags = Array.from({ length: 30_000 }, () => randomBytes(16).toString('hex'));
    const grant = (port: number) => ({
      family: 4 as const,
      address: '10.0.0.7',
      protocol: 'tcp' as const,
      port,
      timeoutSeconds: 60,
      client: 'alice',
    });
    await driver.knockGate?.setTags(tags);
    const started = performance.now();
    // The setup's transaction carries the tags; the grant given meanwhile waits for the table.
    const [, granted] = await Promise.all([
      driver.setup([{ protocol: 'tcp', port: 22 }]),
      driver.grant([grant(22)]),
    ]);
    expect(granted).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1500);
    const { stdout } = await nftIn(ns, 'list set inet spa_fleet knock_tags');
    expect(stdout.match(/0x[0-9a-f]+/g)).toHaveLength(30_000);
    // A replacement of the whole set, then a grant: the grant lands after it, on an intact table.
    await driver.knockGate?.setTags(
      tags.slice(0, 20_000).concat(Array.from({ length: 10_000 }, () => randomBytes(16).toString('hex'))),
    );
    await driver.grant([grant(23)]);
    expect((await driver.list()).map((g) => g.port).sort()).toEqual([22, 23]);
    expect(await driver.isIntact()).toBe(true);
    await driver.flush();
    await driver.close();
  });

  it("holds as many spent nonces as the grant sets hold grants, then refuses a batch in words the daemon knows as 'full'", async () => {
    const server = lab.host('server');
    const driver = new NftablesDriver({
      table: 'spa_spent',
      netns: server.ns,
      knockGate: { ports: [GATE_PORT] },
    });
    await driver.setup([{ protocol: 'tcp', port: 22 }]);
    const nonces = (n: number) =>
      Array.from({ length: n }, () => ({
        tagNonceHex: randomBytes(32).toString('hex'),
        timeoutSeconds: 300,
      }));
    // A fleet's window of granted knocks, in the daemon's batches: every one held.
    for (let held = 0; held < SPENT_CAPACITY; held += 16_384) await driver.knockGate!.spend(nonces(16_384));
    const refused = await driver.knockGate!.spend(nonces(2)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isSpentSetFull(refused)).toBe(true);
    // A batch too large for the resident shell's line goes through `nft -f -`: refused in the same words.
    const refusedLarge = await driver.knockGate!.spend(nonces(1000)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isSpentSetFull(refusedLarge)).toBe(true);
    // Only that batch was refused: the grants go on, the table stays intact.
    await driver.grant([
      { family: 4, address: '10.0.0.7', protocol: 'tcp', port: 22, timeoutSeconds: 60, client: 'alice' },
    ]);
    expect(await driver.isIntact()).toBe(true);
    const { stdout } = await nftIn(server.ns, 'list set inet spa_spent knock_spent');
    expect(stdout.match(/0x[0-9a-f]+/g)).toHaveLength(SPENT_CAPACITY);
    await driver.flush();
    await driver.close();
  });

  it("reports the gate's drops as the kernel counts them, read fresh while nft lists them quickly", async () => {
    const server = lab.host('server');
    const driver = new NftablesDriver({
      table: 'spa_count',
      netns: server.ns,
      residentListings: true,
      knockGate: { ports: [GATE_PORT] },
    });
    await driver.setup([{ protocol: 'tcp', port: 22 }]);
    expect(await dropsUntil(driver, () => true)).toEqual({ knock_size: 0, knock_tag: 0, knock_spent: 0 });
    // Too short to carry a tag: the gate's size rule drops it before any socket.
    await server.exec(process.execPath, [SEND_DATAGRAM, '127.0.0.1', String(GATE_PORT), '00'.repeat(8)]);
    expect(await dropsUntil(driver, (d) => d.knock_size === 1)).toMatchObject({ knock_size: 1 });
    await driver.flush();
    await driver.close();
  });

  it("reads the gate's counters at 100,000 grants in the background: a caller waits a second at most, a status's listings do not queue behind", async () => {
    const server = lab.host('server');
    const table = 'spa_bulk';
    const driver = new NftablesDriver({
      table,
      netns: server.ns,
      residentListings: true,
      knockGate: { ports: [GATE_PORT] },
    });
    await driver.setup([{ protocol: 'tcp', port: 22 }]);
    const script = join(tmpdir(), `spa-bulk-${process.pid}.nft`);
    await writeFile(script, grantScript(table, 100_000));
    await server.exec('nft', ['-f', script]);
    await rm(script);
    // A read of the counters makes nft fetch all 100,000 elements (1–3 s): the caller waits 1 s at
    // most, and a status's listings of the small sets made meanwhile are answered as at an empty table.
    const timed = async <T>(work: Promise<T>): Promise<[T, number]> => {
      const at = performance.now();
      return [await work, performance.now() - at];
    };
    const [[, dropsMs], [state, vouchedMs]] = await Promise.all([
      timed(driver.knockGate!.drops()),
      timed(driver.inspect('one-shot', 'vouched')),
    ]);
    expect(dropsMs).toBeLessThan(1500);
    expect(state).toMatchObject({ protection: 'installed', ports: [{ protocol: 'tcp', port: 22 }] });
    const drops = await dropsUntil(driver, () => true);
    expect(drops).toEqual({ knock_size: 0, knock_tag: 0, knock_spent: 0 });
    expect(vouchedMs).toBeLessThan(1000);
    // The next read is not due for ten times the last one's duration: answered at once.
    const started = performance.now();
    expect(await driver.knockGate?.drops()).toEqual(drops);
    expect(performance.now() - started).toBeLessThan(50);
    // A status the daemon does not vouch for (right after a burst, say) reads the table's skeleton and
    // the one-shot sets: every rule and port, and no grant fetched, so it stays quick at 100,000.
    await server.exec('nft', ['add', 'element', 'inet', table, 'allow4_once', '{ 192.0.2.7 . tcp . 22 }']);
    const [read, readMs] = await timed(driver.inspect('one-shot', 'read'));
    expect(read).toMatchObject({
      protection: 'installed',
      ports: [{ protocol: 'tcp', port: 22 }],
      grants: [{ family: 4, address: '192.0.2.7', port: 22, once: true }],
    });
    // Against the daemon's full check in the same run (the table's own terse listing, which makes nft
    // fetch every element; the machine's load scales both): 0.01 s against 0.75 s on an idle host.
    const [intact, fullMs] = await timed(driver.isIntact('full'));
    expect(intact).toBe(true);
    expect(readMs).toBeLessThan(fullMs / 4);
    // Its rules flushed underneath: the same read finds the table incomplete.
    await server.exec('nft', ['flush', 'chain', 'inet', table, 'input']);
    expect((await driver.inspect('one-shot', 'read')).protection).toBe('incomplete');
    await driver.flush();
    await driver.close();
  }, 60_000);

  it("a restart's setup keeps the last run's gate tags; the first tags given then replace them, as a difference or whole", async () => {
    const { ns } = lab.host('server');
    const make = () => new NftablesDriver({ table: 'spa_restart', netns: ns, knockGate: { ports: [62201] } });
    // nft prints a value without its leading zeros: compared as numbers.
    const tagsIn = async () =>
      new Set(
        ((await nftIn(ns, 'list set inet spa_restart knock_tags')).stdout.match(/0x[0-9a-f]+/g) ?? []).map(
          BigInt,
        ),
      );
    const asNumbers = (tags: readonly string[]) => new Set(tags.map((t) => BigInt(`0x${t}`)));
    const hex = (n: number) => Array.from({ length: n }, () => randomBytes(16).toString('hex'));
    const first = hex(300);
    const before = make();
    await before.knockGate?.setTags(first);
    await before.setup([{ protocol: 'tcp', port: 22 }]);
    expect(await tagsIn()).toEqual(asNumbers(first));
    await before.close(); // the table stays, as at a daemon's stop
    // The daemon of a large fleet sets up before its tags: the last run's stay, and its clients pass.
    const after = make();
    await after.setup([{ protocol: 'tcp', port: 22 }]);
    expect(await tagsIn()).toEqual(asNumbers(first));
    // A short stop: the tags read back, and only the difference sent.
    const moved = [...first.slice(10), ...hex(10)];
    await after.knockGate?.setTags(moved);
    expect(await tagsIn()).toEqual(asNumbers(moved));
    // Mostly new (a fleet grown, or a long stop): the set replaced whole.
    const tags = hex(30_000);
    await after.knockGate?.setTags(tags);
    expect(await tagsIn()).toEqual(asNumbers(tags));
    expect(await after.isIntact()).toBe(true);
    await after.close();
    // Another restart after a long stop: none of the kept tags is current any more.
    const again = make();
    await again.setup([{ protocol: 'tcp', port: 22 }]);
    const fresh = hex(300);
    await again.knockGate?.setTags(fresh);
    expect(await tagsIn()).toEqual(asNumbers(fresh));
    await again.flush();
    await again.close();
  });

  it('replaces its nft process after a set number of batches without reordering them', async () => {
    const { ns } = lab.host('server');
    const shell = new LineShell({
      command: await toolCommand('nft', 'nftables', ns),
      args: ['-i'],
      dialect: NFT_DIALECT,
      timeoutMs: 5000,
      maxPending: 100,
      batchesPerProcess: 3,
    });
    await shell.run(['add table inet spa_seq; add set inet spa_seq s { type inet_service; }']);
    const pids = new Set<number | undefined>();
    // add, delete, add ... of one element: any reordering makes a delete fail.
    const ops = Array.from({ length: 20 }, (_, i) =>
      shell
        .run([`${i % 2 === 0 ? 'add' : 'delete'} element inet spa_seq s { 80 }`])
        .then(() => pids.add(shell.pid)),
    );
    await Promise.all(ops);
    expect(pids.size).toBeGreaterThan(3);
    await expect(shell.run(['delete element inet spa_seq s { 80 }'])).rejects.toMatchObject({
      code: 'FIREWALL_COMMAND_FAILED',
    });
    await expect(shell.run(['add element inet spa_seq s { 80 }'])).resolves.toBeUndefined();
    await shell.close();
    await expect(shell.run(['list tables'])).rejects.toMatchObject({ code: 'FIREWALL_NOT_READY' });
  });

  it('settles each batch of a merged transaction by its own outcome: a failed one alone, the rest applied', async () => {
    const { ns } = lab.host('server');
    const includes = new NftIncludeFiles();
    const shell = new LineShell({
      command: await toolCommand('nft', 'nftables', ns),
      args: ['-i'],
      dialect: NFT_DIALECT,
      timeoutMs: 5000,
      maxPending: 1000,
      batchesPerProcess: 10_000,
      join: includes.join,
    });
    await shell.run(['add table inet spa_merge; add set inet spa_merge s { type inet_service; }']);
    // Issued in one tick: the first is written at once, the rest wait for it and go as merges.
    const ports = Array.from({ length: 200 }, (_, i) => 1000 + i);
    const bad = new Set([1001, 1100, 1199]);
    const outcomes = await Promise.allSettled(
      ports.map((port) =>
        shell.run([`${bad.has(port) ? 'delete' : 'add'} element inet spa_merge s { ${port} }`], {
          merge: true,
        }),
      ),
    );
    const failed = ports.filter((_, i) => outcomes[i]?.status === 'rejected');
    expect(failed).toEqual([...bad]);
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'rejected')
        expect(outcome.reason).toMatchObject({ code: 'FIREWALL_COMMAND_FAILED' });
      else expect(bad.has(ports[i]!)).toBe(false);
    }
    const { stdout } = await execa('ip', [
      'netns',
      'exec',
      ns,
      'nft',
      '-j',
      'list',
      'set',
      'inet',
      'spa_merge',
      's',
    ]);
    const listed = (JSON.parse(stdout).nftables as { set?: { elem?: number[] } }[]).find((o) => o.set)?.set
      ?.elem;
    expect([...(listed ?? [])].sort((a, b) => a - b)).toEqual(ports.filter((p) => !bad.has(p)));
    await shell.run(['delete table inet spa_merge']);
    await shell.close();
    includes.close();
  });
});
