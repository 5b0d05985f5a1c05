/** What spa-server does for users, against the real kernel in a lab: one suite, run per firewall backend. @module */

import { createHash, createHmac } from 'node:crypto';
import type { ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPath } from '../agents/agent-path.js';
import { clientKeys, encodeKnock, spaKeys } from '../build/spa-fixture.js';
import { createLab, type Host, type Lab } from '../lab/netns.js';
import { probeTcp, waitForTcp } from '../lab/probe.js';
import {
  type LogLine,
  SERVER_BIN,
  type ServerProcess,
  startServerProcess,
} from '../processes/server-process.js';

const TCP_SERVICE = agentPath('tcp-service.mjs');
const HOLD_CONNECTION = agentPath('hold-connection.mjs');
const SSH = 2222;
const DB = 2223;
const GRANT_S = 2;
const WINDOW_S = 10;

/** Recomputes mac1 (docs/protocol.md §6) as an attacker who knows the server's public key can. */
function withValidMac(datagram: Uint8Array, serverPublicKey: Uint8Array): Uint8Array {
  const key = createHash('sha256').update('spa-v1 mac1').update(serverPublicKey).digest();
  const out = datagram.slice();
  const covered = out.subarray(0, out.length - 16);
  out.set(createHmac('sha256', key).update(covered).digest().subarray(0, 16), covered.length);
  return out;
}

const refusal = (reason: string, src?: string) => (l: LogLine) =>
  l.event === 'knock.refused' && l.reason === reason && (src === undefined || l.src === src);
const accepted = (src: string) => (l: LogLine) => l.event === 'knock.accepted' && l.src === src;

export function serverScenarios(backend: 'nftables' | 'iptables'): void {
  describe(`spa-server with ${backend}: what a user sees`, () => {
    let lab: Lab;
    let server: Host;
    let client: Host;
    let outsider: Host;
    let spa: ServerProcess;
    let service: ResultPromise;

    beforeAll(async () => {
      lab = await createLab(['server', 'client', 'outsider']);
      server = lab.host('server');
      client = lab.host('client');
      outsider = lab.host('outsider');
      service = server.exec(process.execPath, [TCP_SERVICE, String(SSH)], { reject: false });
      spa = await startServerProcess({
        host: server,
        backend,
        services: { ssh: `tcp/${SSH}`, db: `tcp/${DB}` },
        clients: [
          { name: 'alice', services: ['ssh'] },
          { name: 'bob', services: ['ssh'], expires: '2020-01-01' },
        ],
        config: {
          defaultDuration: GRANT_S,
          maxDuration: 5,
          timestampWindow: WINDOW_S,
          log: { level: 'info', refusalsPerSecond: 1000 },
        },
      });
    });

    afterAll(async () => {
      await spa?.cleanup();
      service?.kill();
      await lab?.destroy();
    });

    it('keeps the protected port filtered for everyone before any knock, over IPv4 and IPv6', async () => {
      expect(await probeTcp(client, server.ipv4, SSH, 400)).toBe('filtered');
      expect(await probeTcp(outsider, server.ipv4, SSH, 400)).toBe('filtered');
      expect(await probeTcp(client, server.ipv6, SSH, 400)).toBe('filtered');
    });

    it('opens for the knocking address only, closes after the duration, and an open connection survives', async () => {
      await spa.send(client, spa.knock());
      await spa.waitForLog(accepted(client.ipv4));
      expect(await probeTcp(client, server.ipv4, SSH)).toBe('open');
      expect(await probeTcp(outsider, server.ipv4, SSH, 400)).toBe('filtered');
      expect(await probeTcp(client, server.ipv6, SSH, 400)).toBe('filtered'); // only the IPv4 source was granted

      const held = client.exec(process.execPath, [
        HOLD_CONNECTION,
        server.ipv4,
        String(SSH),
        String(GRANT_S * 1000 + 1500),
      ]);
      expect(await waitForTcp(client, server.ipv4, SSH, 'filtered', (GRANT_S + 3) * 1000)).toBe('filtered');
      expect(String((await held).stdout)).toBe('connected\necho-ok');
    });

    it('opens nothing for replayed, tampered, foreign, unknown, expired, disallowed or stale knocks', async () => {
      const valid = spa.knock();
      await spa.send(client, valid);
      await spa.waitForLog(accepted(client.ipv4));
      await spa.send(client, spa.knock({ kind: 'close' }));
      await spa.waitForLog((l) => l.event === 'knock.closed');

      const tampered = valid.slice();
      tampered[120] = (tampered[120] ?? 0) ^ 0x01;
      const other = spaKeys([]).serverPublicKey;
      const strangerKnock = encodeKnock(spa.serverPublicKeyBytes, clientKeys('stranger'));
      const foreign = encodeKnock(other, spa.clients[0]!);
      const bad: [string, Uint8Array][] = [
        ['replay', valid],
        ['bad-mac', tampered],
        ['decrypt-failed', withValidMac(tampered, spa.serverPublicKeyBytes)],
        ['bad-mac', foreign],
        ['unknown-client', strangerKnock],
        ['policy-expired', spa.knock({}, { client: 'bob' })],
        ['policy-service', spa.knock({ access: [{ type: 'service', name: 'db' }] })],
        ['policy-service', spa.knock({ access: [{ type: 'tcp', port: DB }] })],
        ['stale', spa.knock({}, { nowMs: Date.now() - (WINDOW_S + 5) * 1000 })],
      ];
      const before = spa.logs().filter((l) => l.event === 'knock.refused').length;
      await spa.send(
        client,
        bad.map(([, d]) => d),
      );
      const deadline = Date.now() + 5000;
      while (
        spa.logs().filter((l) => l.event === 'knock.refused').length < before + bad.length &&
        Date.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const reasons = spa
        .logs()
        .filter((l) => l.event === 'knock.refused')
        .slice(before)
        .map((l) => l.reason);
      // bad-mac is refused on receipt, the rest after the queue: compare as sets, not in order.
      expect(reasons.sort()).toEqual(bad.map(([reason]) => reason).sort());
      expect(await probeTcp(client, server.ipv4, SSH, 400)).toBe('filtered');
      expect(await probeTcp(client, server.ipv4, DB, 400)).toBe('filtered');
    });

    it('works over IPv6 like IPv4, and a close request removes the grant at once', async () => {
      await spa.send(client, spa.knock({ durationSeconds: 5 }), server.ipv6);
      await spa.waitForLog(accepted(client.ipv6));
      expect(await probeTcp(client, server.ipv6, SSH)).toBe('open');
      expect(await probeTcp(outsider, server.ipv6, SSH, 400)).toBe('filtered');
      expect(await probeTcp(client, server.ipv4, SSH, 400)).toBe('filtered');
      await spa.send(client, spa.knock({ kind: 'close' }), server.ipv6);
      await spa.waitForLog((l) => l.event === 'knock.closed' && l.src === client.ipv6);
      expect(await probeTcp(client, server.ipv6, SSH, 400)).toBe('filtered'); // at once, not after 5 s
    });

    it('a second knock extends the grant and never duplicates it', async () => {
      await spa.send(client, spa.knock({ durationSeconds: 2 }));
      await spa.waitForLog(accepted(client.ipv4));
      await new Promise((r) => setTimeout(r, 1000));
      const n = spa.logs().filter(accepted(client.ipv4)).length;
      await spa.send(client, spa.knock({ durationSeconds: 4 }));
      await spa.waitForLog(
        (l) => accepted(client.ipv4)(l) && spa.logs().filter(accepted(client.ipv4)).length > n,
      );
      const status = await server.exec(SERVER_BIN, ['status', '--json', '--config', spa.configPath]);
      const grants = (
        JSON.parse(String(status.stdout)) as { grants: { address: string; expiresInSeconds: number }[] }
      ).grants;
      expect(grants.filter((g) => g.address === client.ipv4)).toHaveLength(1);
      expect(grants[0]?.expiresInSeconds).toBeGreaterThan(2);
      await new Promise((r) => setTimeout(r, 1500)); // past the first grant's end
      expect(await probeTcp(client, server.ipv4, SSH)).toBe('open');
      await spa.send(client, spa.knock({ kind: 'close' }));
      await spa.waitForLog(
        (l) => l.event === 'knock.closed' && spa.logs().filter((x) => x.event === 'knock.closed').length >= 3,
      );
    });

    it('opens signed addresses instead of the source (a knock for another machine)', async () => {
      await spa.send(client, spa.knock({ addresses: [outsider.ipv4] }));
      await spa.waitForLog(
        (l) => l.event === 'knock.accepted' && (l.addresses as string[])[0] === outsider.ipv4,
      );
      expect(await probeTcp(outsider, server.ipv4, SSH)).toBe('open');
      expect(await probeTcp(client, server.ipv4, SSH, 400)).toBe('filtered');
      await spa.send(client, spa.knock({ kind: 'close', addresses: [outsider.ipv4] }));
      await spa.waitForLog(
        (l) => l.event === 'knock.closed' && (l.addresses as string[])[0] === outsider.ipv4,
      );
    });

    it('refuses a replay after kill -9 and a restart', async () => {
      const knock = spa.knock();
      const n = spa.logs().filter(accepted(client.ipv4)).length;
      await spa.send(client, knock);
      await spa.waitForLog(() => spa.logs().filter(accepted(client.ipv4)).length > n);
      await spa.kill9();
      spa = await startServerProcess({ ...spa.options, reuse: spa });
      expect(await waitForTcp(client, server.ipv4, SSH, 'filtered', (GRANT_S + 3) * 1000)).toBe('filtered');
      await spa.send(client, knock);
      await spa.waitForLog(refusal('replay', client.ipv4));
      expect(await probeTcp(client, server.ipv4, SSH, 400)).toBe('filtered');
    });
  });
}
