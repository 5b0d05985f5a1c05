/** tcpdump, on the server's own interface, sees the server send nothing at all in answer to any SPA datagram, valid or hostile. */

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { nodeBackend, readPrivateKeyFile } from 'spa-node';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { clientKeys, encodeKnock, spaKeys } from 'spa-test-kit/build/spa-fixture';
import { staleButTagged } from 'spa-test-kit/build/stale-timestamp';
import { sealPlaintext, senderSecrets, unsealDatagram, withMac } from 'spa-test-kit/forge/forge';
import { startCapture } from 'spa-test-kit/lab/capture';
import { kernelDrops } from 'spa-test-kit/lab/kernel-drops';
import type { Host } from 'spa-test-kit/lab/netns';
import type { CapturedPacket } from 'spa-test-kit/lab/pcap';
import type { LogLine } from 'spa-test-kit/processes/server-process';
import { useLabScenario } from 'spa-test-kit/scenarios/lab-scenario';
import { describe, expect, it } from 'vitest';

const SEND_DATAGRAM = agentPath('send-datagram.mjs');
const UNUSED_UDP_PORT = 62299;
const ICMP_ECHO_REPLY = 0;
const ICMP_UNREACHABLE = 3;
const ICMPV6_ECHO_REPLY = 129;
/** MLD (130-132, 143) and neighbour discovery (133-137): the kernel's own housekeeping, never an answer to UDP. */
const ICMPV6_HOUSEKEEPING = new Set([130, 131, 132, 133, 134, 135, 136, 137, 143]);

const flip = (bytes: Uint8Array, at: number): Uint8Array => {
  const out = bytes.slice();
  out[at]! ^= 0x01;
  return out;
};

describe.each(['nftables', 'iptables'] as const)('the server never answers (%s)', (backend) => {
  const env = useLabScenario({
    spa: {
      backend,
      config: {
        defaultDuration: 5,
        // Every refusal logged and none rate-limited: the test counts them to know all were handled.
        log: { level: 'info', refusalsPerSecond: 1000 },
        rateLimit: { perSourceRate: 100, perSourceBurst: 100 },
      },
    },
  });

  it('no UDP, no ICMP, nothing for valid, junk, tampered, replayed, wrong-server, stale and unknown-key datagrams', async () => {
    const serverSecret = await readPrivateKeyFile('server', join(env.spa.dir, 'server.key'));
    const valid = env.spa.knock();
    // Another knock, never sent intact: its nonce is fresh, so a bad signature is what refuses it.
    const plaintext = unsealDatagram(nodeBackend, serverSecret, env.spa.knock());
    // alice's tag key and MAC key: what only she can make, to get datagrams past the cheap checks.
    const alice = senderSecrets(nodeBackend, env.spa.clients[0]!.secretKey, env.spa.serverPublicKeyBytes);
    const reseal = (pt: Uint8Array) =>
      sealPlaintext(nodeBackend, env.spa.serverPublicKeyBytes, pt, randomBytes(32), alice);
    // A knock made for another server, unsealed there and re-sealed to this one: refused as wrong-server.
    const other = spaKeys([]);
    const forOther = encodeKnock(other.serverPublicKey, env.spa.clients[0]!);
    const unknown = encodeKnock(env.spa.serverPublicKeyBytes, clientKeys('stranger'));
    // The last field: what the kernel's knock gate drops before the daemon reads it (nftables only).
    const hostile: [Host, string, Uint8Array, Gate?][] = [
      [env.outsider, env.server.ipv4, new Uint8Array(0), 'size'],
      [env.outsider, env.server.ipv4, randomBytes(1), 'size'],
      [env.outsider, env.server.ipv4, randomBytes(229), 'size'],
      [env.outsider, env.server.ipv4, randomBytes(261), 'unknown-client'],
      [env.outsider, env.server.ipv4, randomBytes(900), 'unknown-client'],
      [env.outsider, env.server.ipv6, randomBytes(1300), 'size'],
      [env.outsider, env.server.ipv4, flip(valid, 100)], // source mode: its nonce stays out of the gate
      // A fresh knock with a broken seal and mac2 made again (as only alice could): decrypt-failed.
      [env.outsider, env.server.ipv4, withMac(nodeBackend, alice, flip(env.spa.knock(), 100))],
      [env.outsider, env.server.ipv4, reseal(flip(plaintext, 0))],
      [env.outsider, env.server.ipv4, forOther, 'unknown-client'],
      [env.outsider, env.server.ipv6, reseal(unsealDatagram(nodeBackend, other.serverSecretKey, forOther))],
      [env.outsider, env.server.ipv4, unknown, 'unknown-client'],
      [env.client, env.server.ipv4, env.spa.knock({}, { nowMs: Date.now() - 10 * 60_000 }), 'unknown-client'],
      [env.client, env.server.ipv4, env.spa.knock({}, { nowMs: await staleButTagged(60) })],
      [env.outsider, env.server.ipv4, valid],
      [env.client, env.server.ipv6, valid],
    ];
    const gated = backend === 'nftables';
    const read = hostile.filter(([, , , gate]) => !gated || gate === undefined);
    const kernelBefore = await kernelDrops(env.server);

    const capture = await startCapture(env.server, [
      'src',
      'host',
      env.server.ipv4,
      'or',
      'src',
      'host',
      env.server.ipv6,
    ]);
    try {
      // send-datagram.mjs itself fails if anything comes back on its socket.
      await env.spa.send(env.client, valid);
      await env.spa.waitForLog((l) => l.event === 'knock.accepted');
      for (const [from, to, datagram] of hostile) await env.spa.send(from, datagram, to);
      const decisions = (l: LogLine) => l.event === 'knock.accepted' || l.event === 'knock.refused';
      await env.spa.waitForLog(() => env.spa.logs().filter(decisions).length >= 1 + read.length);
      // Positive controls: the capture does see what the server's kernel sends, right up to the end: an
      // ICMP port-unreachable for a datagram to a port nobody listens on, and echo replies.
      await env.client.exec(process.execPath, [
        SEND_DATAGRAM,
        env.server.ipv4,
        String(UNUSED_UDP_PORT),
        '00',
      ]);
      await env.client.exec('ping', ['-c', '1', '-W', '2', env.server.ipv4]);
      await env.client.exec('ping', ['-6', '-c', '1', '-W', '2', env.server.ipv6]);
    } catch (error) {
      capture.kill();
      throw error;
    }
    const packets = await capture.stop();

    const sent = packets.filter((p) => p.family === 'ipv4' || p.family === 'ipv6');
    const answers = sent.filter((p) => !(p.protocol === 58 && ICMPV6_HOUSEKEEPING.has(p.icmpType!)));
    expect(answers.map(summarize)).toEqual([
      `ipv4 ${env.server.ipv4} > ${env.client.ipv4} icmp type ${ICMP_UNREACHABLE}`,
      `ipv4 ${env.server.ipv4} > ${env.client.ipv4} icmp type ${ICMP_ECHO_REPLY}`,
      `ipv6 ${env.server.ipv6} > ${env.client.ipv6} icmp type ${ICMPV6_ECHO_REPLY}`,
    ]);
    const reasons = new Set(
      env.spa.logs().flatMap((l) => (l.event === 'knock.refused' ? [String(l.reason)] : [])),
    );
    const daemonReasons = gated
      ? ['bad-mac', 'bad-signature', 'decrypt-failed', 'replay', 'stale', 'wrong-server']
      : [
          'bad-length',
          'bad-mac',
          'bad-signature',
          'bad-version',
          'decrypt-failed',
          'replay',
          'stale',
          'too-long',
          'too-short',
          'unknown-client',
          'wrong-server',
        ];
    expect([...reasons].sort()).toEqual(daemonReasons.sort());
    if (gated) {
      const kernel = await kernelDrops(env.server);
      for (const gate of ['size', 'unknown-client'] as const) {
        const count = hostile.filter(([, , , g]) => g === gate).length;
        expect((kernel[gate] ?? 0) - (kernelBefore[gate] ?? 0), gate).toBe(count);
      }
    }
  });
});

type Gate = 'size' | 'unknown-client';

function summarize(p: CapturedPacket): string {
  const detail = p.protocol === 1 || p.protocol === 58 ? `icmp type ${p.icmpType}` : `proto ${p.protocol}`;
  return `${p.family} ${p.src} > ${p.dst} ${detail}`;
}
