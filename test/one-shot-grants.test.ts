/** One-shot grants with nftables against the real kernel: the first connection from the address lives on, a second is dropped. */
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { probeTcp } from 'spa-test-kit/lab/probe';
import { type LogLine, SERVER_BIN } from 'spa-test-kit/processes/server-process';
import { useLabScenario } from 'spa-test-kit/scenarios/lab-scenario';
import { describe, expect, it } from 'vitest';

const HOLD_CONNECTION = agentPath('hold-connection.mjs');
const SSH = 2222;
const TABLE = 'spa_e2e';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('spa-server with nftables: one-shot grants', () => {
  const env = useLabScenario({
    tcpServices: [SSH],
    spa: {
      backend: 'nftables',
      services: { ssh: `tcp/${SSH}` },
      clients: [{ name: 'carol', oneShot: true }],
      config: { defaultDuration: 30, maxDuration: 60, log: { level: 'info', refusalsPerSecond: 1000 } },
    },
  });
  const count = (event: string): number => env.spa.logs().filter((l) => l.event === event).length;
  const next = async (event: string, before: number): Promise<LogLine> =>
    env.spa.waitForLog((l) => l.event === event && count(event) > before);
  /** The one-shot set's elements as the kernel lists them (`10.0.0.1 . tcp . 2222`). */
  const onceElements = async (family: 4 | 6): Promise<string[]> => {
    const set = family === 4 ? 'allow4_once' : 'allow6_once';
    const { stdout } = await env.server.exec('nft', ['-j', 'list', 'set', 'inet', TABLE, set]);
    const items = (JSON.parse(String(stdout)) as { nftables: { set?: { elem?: unknown[] } }[] }).nftables;
    return (items.find((i) => i.set)?.set?.elem ?? []).map((e) => {
      const val = (e as { elem: { val: { concat: unknown[] } } }).elem.val.concat;
      return val.join(' . ');
    });
  };
  const status = async (): Promise<{ protection: string; grants: { address: string; oneShot?: true }[] }> => {
    const result = await env.server.exec(SERVER_BIN, ['status', '--json', '--config', env.spa.configPath]);
    return JSON.parse(String(result.stdout)) as Awaited<ReturnType<typeof status>>;
  };
  const statusGrants = async () => (await status()).grants;

  for (const family of [4, 6] as const) {
    it(`IPv${family}: the first connection spends the grant and keeps working; a second one is dropped`, async () => {
      const client = family === 4 ? env.client.ipv4 : env.client.ipv6;
      const server = family === 4 ? env.server.ipv4 : env.server.ipv6;
      expect(await probeTcp(env.client, server, SSH, 400)).toBe('filtered');

      const n = count('knock.accepted');
      await env.spa.send(env.client, env.spa.knock({ addresses: [client] }, { client: 'carol' }), server);
      await next('knock.accepted', n);
      expect(await onceElements(family)).toEqual([`${client} . tcp . ${SSH}`]);
      expect((await statusGrants()).filter((g) => g.address === client)).toEqual([
        expect.objectContaining({ oneShot: true }),
      ]);

      // The service greets (server to client), then, after the second attempt, echoes (both ways).
      const held = env.client.exec(process.execPath, [HOLD_CONNECTION, server, String(SSH), '1500'], {
        reject: false,
      });
      let out = '';
      held.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      for (let i = 0; i < 50 && !out.includes('connected'); i++) await sleep(100);
      expect(out).toBe('connected\n');

      // A neighbour behind the same address, 30 s of grant left: its SYN meets the drop.
      expect(await probeTcp(env.client, server, SSH, 700)).toBe('filtered');
      expect(await onceElements(family)).toEqual([]);
      expect((await statusGrants()).filter((g) => g.address === client)).toEqual([]);
      expect(String((await held).stdout)).toBe('connected\necho-ok');

      // Closing a grant the kernel has already spent is no firewall failure.
      const closed = count('knock.closed');
      await env.spa.send(
        env.client,
        env.spa.knock({ kind: 'close', addresses: [client] }, { client: 'carol' }),
        server,
      );
      await next('knock.closed', closed);
      expect(env.spa.logs().filter((l) => l.event === 'knock.refused')).toEqual([]);
    });
  }

  it('a new knock buys one more connection', async () => {
    const n = count('knock.accepted');
    await env.spa.send(env.client, env.spa.knock({ addresses: [env.client.ipv4] }, { client: 'carol' }));
    await next('knock.accepted', n);
    expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('open');
    expect(await probeTcp(env.client, env.server.ipv4, SSH, 400)).toBe('filtered');
  });

  it('a table deleted underneath is rebuilt whole, without the one-shot grant a connection may have spent', async () => {
    const n = count('knock.accepted');
    await env.spa.send(env.client, env.spa.knock({ addresses: [env.client.ipv4] }, { client: 'carol' }));
    await next('knock.accepted', n);
    const rebuilt = count('firewall.rebuilt');
    await env.server.exec('nft', ['delete', 'table', 'inet', TABLE]);
    await next('firewall.rebuilt', rebuilt);
    expect(await onceElements(4)).toEqual([]);
    expect(await probeTcp(env.client, env.server.ipv4, SSH, 400)).toBe('filtered');
    // The integrity check knows the one-shot sets and rules: the rebuilt table counts as whole.
    expect((await status()).protection).toBe('installed');
    await sleep(6000); // past the periodic check
    expect(count('firewall.rebuilt')).toBe(rebuilt + 1);
  });
});
