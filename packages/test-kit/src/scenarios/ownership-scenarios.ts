/** Grants owned per client and the source-mode race guard, against the real kernel: one suite, run per backend. @module */

import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { agentPath } from '../agents/agent-path.js';
import { probeTcp } from '../lab/probe.js';
import { type LogLine, SERVER_BIN } from '../processes/server-process.js';
import { useLabScenario } from './lab-scenario.js';

const HOLD_CONNECTION = agentPath('hold-connection.mjs');
const SSH = 2222;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface StatusGrant {
  readonly client: string;
  readonly owners: readonly string[];
  readonly address: string;
  readonly expiresInSeconds: number;
}

export function ownershipScenarios(backend: 'nftables' | 'iptables'): void {
  describe(`spa-server with ${backend}: grants belong to clients`, () => {
    const env = useLabScenario({
      tcpServices: [SSH],
      spa: {
        backend,
        services: { ssh: `tcp/${SSH}` },
        clients: [{ name: 'alice' }, { name: 'bob' }],
        config: { defaultDuration: 3, maxDuration: 60, log: { level: 'info', refusalsPerSecond: 1000 } },
      },
    });
    const count = (event: string): number => env.spa.logs().filter((l) => l.event === event).length;
    const next = async (event: string, before: number): Promise<LogLine> =>
      env.spa.waitForLog((l) => l.event === event && count(event) > before);
    const status = async (): Promise<StatusGrant[]> => {
      const result = await env.server.exec(SERVER_BIN, ['status', '--json', '--config', env.spa.configPath]);
      return (JSON.parse(String(result.stdout)) as { grants: StatusGrant[] }).grants;
    };

    it('two clients on one address and port: a shorter second grant does not shorten the first; close ends only its own', async () => {
      const at = [env.client.ipv4];
      let n = count('knock.accepted');
      await env.spa.send(
        env.client,
        env.spa.knock({ addresses: at, durationSeconds: 20 }, { client: 'alice' }),
      );
      await next('knock.accepted', n);
      n = count('knock.accepted');
      await env.spa.send(env.client, env.spa.knock({ addresses: at, durationSeconds: 2 }, { client: 'bob' }));
      await next('knock.accepted', n);
      const both = (await status()).filter((g) => g.address === env.client.ipv4);
      expect(both).toEqual([expect.objectContaining({ client: 'alice,bob', owners: ['alice', 'bob'] })]);
      expect(both[0]!.expiresInSeconds).toBeGreaterThan(15);
      await sleep(3000); // past bob's grant
      expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('open');

      // Bob again, then alice closes: bob's grant stays, with bob alone as owner.
      n = count('knock.accepted');
      await env.spa.send(
        env.client,
        env.spa.knock({ addresses: at, durationSeconds: 20 }, { client: 'bob' }),
      );
      await next('knock.accepted', n);
      const closed = count('knock.closed');
      await env.spa.send(env.client, env.spa.knock({ kind: 'close', addresses: at }, { client: 'alice' }));
      await next('knock.closed', closed);
      expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('open');
      expect((await status()).filter((g) => g.address === env.client.ipv4)).toEqual([
        expect.objectContaining({ client: 'bob', owners: ['bob'] }),
      ]);
      await env.spa.send(env.client, env.spa.knock({ kind: 'close', addresses: at }, { client: 'bob' }));
      await next('knock.closed', closed + 1);
      expect(await probeTcp(env.client, env.server.ipv4, SSH, 400)).toBe('filtered');
    });

    it('a source-mode knock copied from another address: the first sender loses its grant and its open connection', async () => {
      const knock = env.spa.knock({ durationSeconds: 30 }, { client: 'alice' });
      const n = count('knock.accepted');
      await env.spa.send(env.outsider, knock); // the copy arrives first and is granted
      await next('knock.accepted', n);
      const held = env.outsider.exec(
        process.execPath,
        [HOLD_CONNECTION, env.server.ipv4, String(SSH), '2500'],
        {
          reject: false,
        },
      );
      // The connection is up before the real knock arrives.
      let out = '';
      held.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      for (let i = 0; i < 50 && !out.includes('connected'); i++) await sleep(100);
      expect(out).toBe('connected\n');
      const dup = count('knock.duplicate');
      await env.spa.send(env.client, knock);
      const line = await next('knock.duplicate', dup);
      expect(line).toMatchObject({ src: env.client.ipv4, opened: env.outsider.ipv4, client: 'alice' });
      const result = await held;
      expect(String(result.stdout)).toMatch(/^connected\n(timeout|error)/);
      expect(await probeTcp(env.outsider, env.server.ipv4, SSH, 400)).toBe('filtered');
      expect(await probeTcp(env.client, env.server.ipv4, SSH, 400)).toBe('filtered');
    });

    // Last: bob is expired for good after it.
    it("a client's expires brought forward by a reload ends the grant it already held, at that instant", async () => {
      const n = count('knock.accepted');
      await env.spa.send(env.client, env.spa.knock({ durationSeconds: 30 }, { client: 'bob' }));
      await next('knock.accepted', n);
      const config = JSON.parse(await readFile(env.spa.configPath, 'utf8')) as {
        clients: { name: string; expires?: string }[];
      };
      const expiresAt = Date.now() + 3000;
      for (const c of config.clients) if (c.name === 'bob') c.expires = new Date(expiresAt).toISOString();
      await writeFile(env.spa.configPath, JSON.stringify(config));
      const reloads = count('daemon.reloaded');
      await env.spa.reload();
      await next('daemon.reloaded', reloads);
      // The reload leaves the grant: bob is not expired yet, and his 30 s were given before.
      expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('open');
      const revoked = await env.spa.waitForLog(
        (l) => l.event === 'grants.revoked' && String(l.message).includes('expires'),
        10_000,
      );
      const late = Date.parse(String(revoked.ts)) - expiresAt;
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(2000);
      expect(await probeTcp(env.client, env.server.ipv4, SSH, 400)).toBe('filtered');
    });
  });
}
