/** No secret in any output of a full run: private keys and datagram bytes in no log line, error, status or client output. */

import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { writeCorpus } from 'spa-test-kit/fuzz/fuzz-corpus';
import { createFuzzer } from 'spa-test-kit/fuzz/fuzz-datagrams';
import { startCapture } from 'spa-test-kit/lab/capture';
import { CLIENT_BIN, directOpenArgs } from 'spa-test-kit/processes/client-process';
import { KNOCK_PORT, SERVER_BIN, startServerProcess } from 'spa-test-kit/processes/server-process';
import { useLabScenario } from 'spa-test-kit/scenarios/lab-scenario';
import { describe, expect, it } from 'vitest';

const SENDER = agentPath('fuzz-sender.mjs');
const PORT = 2222;

describe('no secret in any output of a full run', () => {
  const env = useLabScenario({ hosts: ['server', 'alice'], tcpServices: [PORT] });

  it('private keys and datagram bytes appear in no log line, error, status or client output', async () => {
    const proc = await startServerProcess({
      host: env.server,
      backend: 'nftables',
      services: { ssh: `tcp/${PORT}` },
      // Every refusal logged, and no limiter in the way of the 1,000 hostile datagrams below.
      config: {
        log: { level: 'debug', refusalsPerSecond: 100_000 },
        // Every datagram reaches the daemon, so that each refusal's log line is scanned too.
        firewall: { backend: 'nftables', table: 'spa_e2e', knockGate: false },
        rateLimit: { perSourceRate: 100_000, perSourceBurst: 100_000 },
      },
    });
    // Needles: each private key as written in its file, and as base64 and hex.
    const secrets = new Map<string, string>();
    for (const file of [join(proc.dir, 'server.key'), ...proc.clients.map((c) => c.keyFile)]) {
      const b64url = /private:([A-Za-z0-9_-]{43})/.exec(await readFile(file, 'utf8'))?.[1];
      expect(b64url, file).toBeDefined();
      const bytes = Buffer.from(b64url!, 'base64url');
      secrets.set(b64url!, `${file} (base64url)`);
      secrets.set(bytes.toString('base64').slice(0, 40), `${file} (base64)`);
      secrets.set(bytes.toString('hex'), `${file} (hex)`);
    }
    const alice = env.lab.host('alice');
    const capture = await startCapture(env.server, ['udp', 'port', String(KNOCK_PORT)]);
    const outputs: string[] = [];
    const keep = (r: { stdout?: unknown; stderr?: unknown }) =>
      outputs.push(String(r.stdout ?? ''), String(r.stderr ?? ''));
    try {
      const client = proc.clients[0]!;
      const target = { host: env.server.ipv4, serverKey: proc.serverPublicKey, keyFile: client.keyFile };
      const open = (...flags: string[]) =>
        alice.exec(CLIENT_BIN, directOpenArgs(target, PORT, ...flags), { reject: false });
      // The real client, as talkative as it gets.
      keep(await open('--wait', '--verbose', '--json'));
      keep(await open('--dry-run', '--verbose', '--json'));
      // Refusals of every kind, each logged (debug, no rate limit), and a replay.
      const fuzzer = createFuzzer(
        {
          serverPublicKey: proc.serverPublicKeyBytes,
          clientSecretKey: client.secretKey,
          clientPublicKey: client.publicKey,
        },
        { seed: 11, nowMs: Date.now() },
      );
      const corpus = await writeCorpus(join(proc.dir, 'corpus.bin'), fuzzer, 1000);
      await alice.exec(process.execPath, [
        SENDER,
        JSON.stringify({
          corpus: corpus.path,
          to: env.server.ipv4,
          port: KNOCK_PORT,
          count: 1000,
          durationMs: 10_000,
          rate: 2000,
        }),
      ]);
      const knock = proc.knock();
      await proc.send(alice, [knock, knock]);
      await proc.waitForLog((l) => l.reason === 'replay');
      // A good reload, a failed one (key readable by others), and the other commands.
      await proc.reload();
      await proc.waitForLog((l) => l.event === 'daemon.reloaded');
      await chmod(join(proc.dir, 'server.key'), 0o644);
      await proc.reload();
      await proc.waitForLog((l) => l.event === 'config.reload-failed');
      keep(
        await env.server.exec(SERVER_BIN, ['check', '--config', proc.configPath, '--verbose'], {
          reject: false,
        }),
      );
      await chmod(join(proc.dir, 'server.key'), 0o600);
      for (const args of [
        ['status'],
        ['status', '--json'],
        ['check'],
        ['client-config', 'alice', '--host', env.server.ipv4],
      ]) {
        keep(await env.server.exec(SERVER_BIN, [...args, '--config', proc.configPath], { reject: false }));
      }
      expect(await proc.stop()).toBe(0);
    } finally {
      await proc.cleanup().catch(() => {});
    }
    const packets = await capture.stop();
    const payloads = packets.flatMap((p) => (p.payload ? [p.payload] : []));
    expect(payloads.length).toBeGreaterThan(1000);

    const text = [...proc.logs().map((l) => JSON.stringify(l)), proc.stderr(), ...outputs].join('\n');
    expect(proc.logs().filter((l) => l.event === 'knock.refused').length).toBeGreaterThan(900);

    for (const [i, payload] of payloads.entries()) {
      // The ephemeral key, the start of the ciphertext and the MAC: any of them in a log is a leak.
      for (const at of [4, 36, payload.length - 16]) {
        const window = Buffer.from(payload.subarray(at, at + 16));
        if (window.length < 16 || window.every((b) => b === 0)) continue;
        secrets.set(window.toString('hex'), `datagram ${i} bytes ${at}.. (hex)`);
        secrets.set(window.toString('base64').slice(0, 20), `datagram ${i} bytes ${at}.. (base64)`);
        secrets.set(window.toString('base64url').slice(0, 20), `datagram ${i} bytes ${at}.. (base64url)`);
      }
    }
    const leaks = [...secrets].filter(([needle]) => text.includes(needle)).map(([, what]) => what);
    expect(leaks).toEqual([]);
  });
});
