/** Grants owned per client and the source-mode race guard, against the real kernel: one suite, run per backend. @module */

import type { ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPath } from '../agents/agent-path.js';
import { createLab, type Host, type Lab } from '../lab/netns.js';
import { probeTcp } from '../lab/probe.js';
import {
  type LogLine,
  SERVER_BIN,
  type ServerProcess,
  startServerProcess,
} from '../processes/server-process.js';

const TCP_SERVICE = agentPath('tcp-service.mjs');
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
    let lab: Lab;
    let server: Host;
    let client: Host;
    let outsider: Host;
    let spa: ServerProcess;
    let service: ResultPromise;
    const count = (event: string): number => spa.logs().filter((l) => l.event === event).length;
    const next = async (event: string, before: number): Promise<LogLine> =>
      spa.waitForLog((l) => l.event === event && count(event) > before);
    const status = async (): Promise<StatusGrant[]> => {
      const result = await server.exec(SERVER_BIN, ['status', '--json', '--config', spa.configPath]);
      return (JSON.parse(String(result.stdout)) as { grants: StatusGrant[] }).grants;
    };

    beforeAll(async () => {
      lab = await createLab(['server', 'client', 'outsider']);
      server = lab.host('server');
      client = lab.host('client');
      outsider = lab.host('outsider');
      service = server.exec(process.execPath, [TCP_SERVICE, String(SSH)], { reject: false });
      spa = await startServerProcess({
        host: server,
        backend,
        services: { ssh: `tcp/${SSH}` },
        clients: [{ name: 'alice' }, { name: 'bob' }],
        config: { defaultDuration: 3, maxDuration: 60, log: { level: 'info', refusalsPerSecond: 1000 } },
      });
    });

    afterAll(async () => {
      await spa?.cleanup();
      service?.kill();
      await lab?.destroy();
    });

    it('two clients on one address and port: a shorter second grant does not shorten the first; close ends only its own', async () => {
      const at = [client.ipv4];
      let n = count('knock.accepted');
      await spa.send(client, spa.knock({ addresses: at, durationSeconds: 20 }, { client: 'alice' }));
      await next('knock.accepted', n);
      n = count('knock.accepted');
      await spa.send(client, spa.knock({ addresses: at, durationSeconds: 2 }, { client: 'bob' }));
      await next('knock.accepted', n);
      const both = (await status()).filter((g) => g.address === client.ipv4);
      expect(both).toEqual([expect.objectContaining({ client: 'alice,bob', owners: ['alice', 'bob'] })]);
      expect(both[0]!.expiresInSeconds).toBeGreaterThan(15);
      await sleep(3000); // past bob's grant
      expect(await probeTcp(client, server.ipv4, SSH)).toBe('open');

      // Bob again, then alice closes: bob's grant stays, with bob alone as owner.
      n = count('knock.accepted');
      await spa.send(client, spa.knock({ addresses: at, durationSeconds: 20 }, { client: 'bob' }));
      await next('knock.accepted', n);
      const closed = count('knock.closed');
      await spa.send(client, spa.knock({ kind: 'close', addresses: at }, { client: 'alice' }));
      await next('knock.closed', closed);
      expect(await probeTcp(client, server.ipv4, SSH)).toBe('open');
      expect((await status()).filter((g) => g.address === client.ipv4)).toEqual([
        expect.objectContaining({ client: 'bob', owners: ['bob'] }),
      ]);
      await spa.send(client, spa.knock({ kind: 'close', addresses: at }, { client: 'bob' }));
      await next('knock.closed', closed + 1);
      expect(await probeTcp(client, server.ipv4, SSH, 400)).toBe('filtered');
    });

    it('a source-mode knock copied from another address: the first sender loses its grant and its open connection', async () => {
      const knock = spa.knock({ durationSeconds: 30 }, { client: 'alice' });
      const n = count('knock.accepted');
      await spa.send(outsider, knock); // the copy arrives first and is granted
      await next('knock.accepted', n);
      const held = outsider.exec(process.execPath, [HOLD_CONNECTION, server.ipv4, String(SSH), '2500'], {
        reject: false,
      });
      // The connection is up before the real knock arrives.
      let out = '';
      held.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      for (let i = 0; i < 50 && !out.includes('connected'); i++) await sleep(100);
      expect(out).toBe('connected\n');
      const dup = count('knock.duplicate');
      await spa.send(client, knock);
      const line = await next('knock.duplicate', dup);
      expect(line).toMatchObject({ src: client.ipv4, opened: outsider.ipv4, client: 'alice' });
      const result = await held;
      expect(String(result.stdout)).toMatch(/^connected\n(timeout|error)/);
      expect(await probeTcp(outsider, server.ipv4, SSH, 400)).toBe('filtered');
      expect(await probeTcp(client, server.ipv4, SSH, 400)).toBe('filtered');
    });
  });
}
