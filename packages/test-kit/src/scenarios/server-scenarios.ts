/** What spa-server does for users, against the real kernel in a lab: one suite, run per firewall backend. @module */

import { nodeBackend } from 'spa-node';
import { clientSecretsFromSeed } from 'spa-protocol';
import { computeMac2, MAC2_SIZE } from 'spa-protocol/wire';
import { describe, expect, it } from 'vitest';
import { agentPath } from '../agents/agent-path.js';
import { clientKeys, encodeKnock, spaKeys } from '../build/spa-fixture.js';
import { staleButTagged } from '../build/stale-timestamp.js';
import { kernelDrops } from '../lab/kernel-drops.js';
import { probeTcp, waitForTcp } from '../lab/probe.js';
import { type LogLine, SERVER_BIN, startServerProcess } from '../processes/server-process.js';
import { useLabScenario } from './lab-scenario.js';

const HOLD_CONNECTION = agentPath('hold-connection.mjs');
const SSH = 2222;
const DB = 2223;
const GRANT_S = 2;
const WINDOW_S = 10;

/**
 * Recomputes mac2 (docs/protocol.md §6.3) with the client's own key: only the client can, so this is a
 * datagram the client itself broke, and it gets past the cheap checks to the AEAD.
 */
function withClientMac(
  datagram: Uint8Array,
  client: { secretKey: Uint8Array; publicKey: Uint8Array },
  serverPublicKey: Uint8Array,
): Uint8Array {
  const secrets = clientSecretsFromSeed(nodeBackend, client.secretKey, client.publicKey, serverPublicKey);
  if (!secrets) throw new Error('small-order server key');
  const out = datagram.slice();
  const covered = out.subarray(0, out.length - MAC2_SIZE);
  out.set(computeMac2(nodeBackend, secrets.macKey, covered), covered.length);
  return out;
}

const refusal = (reason: string, src?: string) => (l: LogLine) =>
  l.event === 'knock.refused' && l.reason === reason && (src === undefined || l.src === src);
const accepted = (src: string) => (l: LogLine) => l.event === 'knock.accepted' && l.src === src;

export function serverScenarios(backend: 'nftables' | 'iptables'): void {
  describe(`spa-server with ${backend}: what a user sees`, () => {
    const env = useLabScenario({
      tcpServices: [SSH],
      spa: {
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
      },
    });

    it('keeps the protected port filtered for everyone before any knock, over IPv4 and IPv6', async () => {
      expect(await probeTcp(env.client, env.server.ipv4, SSH, 400)).toBe('filtered');
      expect(await probeTcp(env.outsider, env.server.ipv4, SSH, 400)).toBe('filtered');
      expect(await probeTcp(env.client, env.server.ipv6, SSH, 400)).toBe('filtered');
    });

    it('opens for the knocking address only, closes after the duration, and an open connection survives', async () => {
      await env.spa.send(env.client, env.spa.knock());
      await env.spa.waitForLog(accepted(env.client.ipv4));
      // Connected first, inside the grant's 2 s even on a loaded machine; it must outlive the grant.
      const held = env.client.exec(process.execPath, [
        HOLD_CONNECTION,
        env.server.ipv4,
        String(SSH),
        String(GRANT_S * 1000 + 1500),
      ]);
      expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('open');
      expect(await probeTcp(env.outsider, env.server.ipv4, SSH, 400)).toBe('filtered');
      expect(await probeTcp(env.client, env.server.ipv6, SSH, 400)).toBe('filtered'); // only the IPv4 source was granted
      expect(await waitForTcp(env.client, env.server.ipv4, SSH, 'filtered', (GRANT_S + 3) * 1000)).toBe(
        'filtered',
      );
      expect(String((await held).stdout)).toBe('connected\necho-ok');
    });

    it('opens nothing for replayed, tampered, foreign, unknown, expired, disallowed or stale knocks', async () => {
      // First: it may wait for the right point of an epoch (up to ~12 s), and a knock built before
      // that wait could age past the timestamp window and be refused `stale` instead of for its
      // reason, or its tag's epoch leave the gate's set (copies of `valid` then never reach the
      // daemon). The epoch of `staleAt` stays held for 10 s after the wait: room for what follows.
      const staleAt = await staleButTagged(WINDOW_S);
      const valid = env.spa.knock();
      await env.spa.send(env.client, valid);
      await env.spa.waitForLog(accepted(env.client.ipv4));
      await env.spa.send(env.client, env.spa.knock({ kind: 'close' }));
      await env.spa.waitForLog((l) => l.event === 'knock.closed');

      const tampered = valid.slice();
      tampered[120] = (tampered[120] ?? 0) ^ 0x01;
      // A fresh knock (a tampered copy of `valid` is a replay at the pre-check, before the seal).
      const brokenSeal = env.spa.knock();
      brokenSeal[120] = (brokenSeal[120] ?? 0) ^ 0x01;
      const other = spaKeys([]).serverPublicKey;
      const strangerKnock = encodeKnock(env.spa.serverPublicKeyBytes, clientKeys('stranger'));
      const foreign = encodeKnock(other, env.spa.clients[0]!);
      const bad: [string, Uint8Array][] = [
        ['replay', valid],
        ['bad-mac', tampered],
        ['decrypt-failed', withClientMac(brokenSeal, env.spa.clients[0]!, env.spa.serverPublicKeyBytes)],
        ['unknown-client', foreign],
        ['unknown-client', strangerKnock],
        ['policy-expired', env.spa.knock({}, { client: 'bob' })],
        ['policy-service', env.spa.knock({ access: [{ type: 'service', name: 'db' }] })],
        ['policy-service', env.spa.knock({ access: [{ type: 'tcp', port: DB }] })],
        ['stale', env.spa.knock({}, { nowMs: staleAt })],
      ];
      // With nftables the kernel's knock gate drops a tag no client has before the daemon reads it; the
      // daemon refuses the rest. (`valid` is a source-mode knock: its copies must still reach the
      // daemon, whose race guard acts on them, so the gate never holds its nonce.)
      const gated = new Set(backend === 'nftables' ? ['unknown-client'] : []);
      const read = bad.filter(([reason]) => !gated.has(reason));
      const kernelBefore = await kernelDrops(env.server);
      const before = env.spa.logs().filter((l) => l.event === 'knock.refused').length;
      await env.spa.send(
        env.client,
        bad.map(([, d]) => d),
      );
      const deadline = Date.now() + 5000;
      while (
        env.spa.logs().filter((l) => l.event === 'knock.refused').length < before + read.length &&
        Date.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const reasons = env.spa
        .logs()
        .filter((l) => l.event === 'knock.refused')
        .slice(before)
        .map((l) => l.reason);
      // Some are refused on receipt, the rest after the queue: compare as sets, not in order.
      expect(reasons.sort()).toEqual(read.map(([reason]) => reason).sort());
      const kernel = await kernelDrops(env.server);
      for (const reason of gated) {
        const count = bad.filter(([r]) => r === reason).length;
        expect((kernel[reason] ?? 0) - (kernelBefore[reason] ?? 0), reason).toBe(count);
      }
      expect(await probeTcp(env.client, env.server.ipv4, SSH, 400)).toBe('filtered');
      expect(await probeTcp(env.client, env.server.ipv4, DB, 400)).toBe('filtered');
    });

    it('works over IPv6 like IPv4, and a close request removes the grant at once', async () => {
      await env.spa.send(env.client, env.spa.knock({ durationSeconds: 5 }), env.server.ipv6);
      await env.spa.waitForLog(accepted(env.client.ipv6));
      expect(await probeTcp(env.client, env.server.ipv6, SSH)).toBe('open');
      expect(await probeTcp(env.outsider, env.server.ipv6, SSH, 400)).toBe('filtered');
      expect(await probeTcp(env.client, env.server.ipv4, SSH, 400)).toBe('filtered');
      await env.spa.send(env.client, env.spa.knock({ kind: 'close' }), env.server.ipv6);
      await env.spa.waitForLog((l) => l.event === 'knock.closed' && l.src === env.client.ipv6);
      expect(await probeTcp(env.client, env.server.ipv6, SSH, 400)).toBe('filtered'); // at once, not after 5 s
    });

    it('a second knock extends the grant and never duplicates it', async () => {
      await env.spa.send(env.client, env.spa.knock({ durationSeconds: 2 }));
      await env.spa.waitForLog(accepted(env.client.ipv4));
      await new Promise((r) => setTimeout(r, 1000));
      const n = env.spa.logs().filter(accepted(env.client.ipv4)).length;
      await env.spa.send(env.client, env.spa.knock({ durationSeconds: 4 }));
      await env.spa.waitForLog(
        (l) => accepted(env.client.ipv4)(l) && env.spa.logs().filter(accepted(env.client.ipv4)).length > n,
      );
      const status = await env.server.exec(SERVER_BIN, ['status', '--json', '--config', env.spa.configPath]);
      const grants = (
        JSON.parse(String(status.stdout)) as { grants: { address: string; expiresInSeconds: number }[] }
      ).grants;
      expect(grants.filter((g) => g.address === env.client.ipv4)).toHaveLength(1);
      expect(grants[0]?.expiresInSeconds).toBeGreaterThan(2);
      await new Promise((r) => setTimeout(r, 1500)); // past the first grant's end
      expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('open');
      await env.spa.send(env.client, env.spa.knock({ kind: 'close' }));
      await env.spa.waitForLog(
        (l) =>
          l.event === 'knock.closed' && env.spa.logs().filter((x) => x.event === 'knock.closed').length >= 3,
      );
    });

    it('opens signed addresses instead of the source (a knock for another machine)', async () => {
      await env.spa.send(env.client, env.spa.knock({ addresses: [env.outsider.ipv4] }));
      await env.spa.waitForLog(
        (l) => l.event === 'knock.accepted' && (l.addresses as string[])[0] === env.outsider.ipv4,
      );
      expect(await probeTcp(env.outsider, env.server.ipv4, SSH)).toBe('open');
      expect(await probeTcp(env.client, env.server.ipv4, SSH, 400)).toBe('filtered');
      await env.spa.send(env.client, env.spa.knock({ kind: 'close', addresses: [env.outsider.ipv4] }));
      await env.spa.waitForLog(
        (l) => l.event === 'knock.closed' && (l.addresses as string[])[0] === env.outsider.ipv4,
      );
    });

    it('refuses a replay after kill -9 and a restart', async () => {
      const knock = env.spa.knock();
      const n = env.spa.logs().filter(accepted(env.client.ipv4)).length;
      await env.spa.send(env.client, knock);
      await env.spa.waitForLog(() => env.spa.logs().filter(accepted(env.client.ipv4)).length > n);
      await env.spa.kill9();
      env.spa = await startServerProcess({ ...env.spa.options, reuse: env.spa });
      expect(await waitForTcp(env.client, env.server.ipv4, SSH, 'filtered', (GRANT_S + 3) * 1000)).toBe(
        'filtered',
      );
      await env.spa.send(env.client, knock);
      await env.spa.waitForLog(refusal('replay', env.client.ipv4));
      expect(await probeTcp(env.client, env.server.ipv4, SSH, 400)).toBe('filtered');
    });
  });
}
