/** Least privilege: the daemon as an unprivileged user with only CAP_NET_ADMIN; keys readable by others refused by both CLIs; no secret in any output of a full run. */
import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapture } from './lib/capture.js';
import { writeCorpus } from './lib/fuzz-corpus.js';
import { createFuzzer } from './lib/fuzz-datagrams.js';
import { createLab, type Host, type Lab } from './lib/netns.js';
import { waitForTcp } from './lib/probe.js';
import { runServerOnce, writeServerFiles } from './lib/server-files.js';
import { KNOCK_PORT, SERVER_BIN, startServerProcess } from './lib/server-process.js';

const CLIENT_BIN = fileURLToPath(new URL('../node_modules/.bin/spa-client', import.meta.url));
const SENDER = fileURLToPath(new URL('./lib/fuzz-sender.mjs', import.meta.url));
const TCP_SERVICE = fileURLToPath(new URL('./lib/tcp-service.mjs', import.meta.url));
const PORT = 2222;
const USER = 'spa-test';
const CAP_NET_ADMIN = 1n << 12n;

/** Creates the system user the daemon runs as, once per machine (as a package's postinst would). */
async function ensureUser(): Promise<{ uid: number; gid: number }> {
  if ((await execa('id', ['-u', USER], { reject: false })).exitCode !== 0) {
    await execa('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
  }
  const uid = Number((await execa('id', ['-u', USER])).stdout);
  const gid = Number((await execa('id', ['-g', USER])).stdout);
  return { uid, gid };
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await execa('chown', ['-R', `${uid}:${gid}`, path]);
}

describe('least privilege', () => {
  let lab: Lab;
  let server: Host;
  let service: ResultPromise;
  beforeAll(async () => {
    lab = await createLab(['server', 'alice']);
    server = lab.host('server');
    service = server.exec(process.execPath, [TCP_SERVICE, String(PORT)], { reject: false });
  });
  afterAll(async () => {
    service?.kill();
    await lab?.destroy();
  });

  it('runs as an unprivileged user with CAP_NET_ADMIN and nothing else, and a knock opens the port', async () => {
    const { uid, gid } = await ensureUser();
    // Lay the files out as root, then hand them (keys 0600, stateDir) to the daemon's user.
    const setup = await startServerProcess({
      host: server,
      backend: 'nftables',
      services: { ssh: `tcp/${PORT}` },
    });
    await setup.stop();
    await server.exec(SERVER_BIN, ['flush', '--config', setup.configPath]);
    await chownTree(setup.dir, uid, gid);
    const proc = await startServerProcess({
      host: server,
      backend: 'nftables',
      reuse: setup,
      wrapper: [
        'setpriv',
        `--reuid=${USER}`,
        `--regid=${USER}`,
        '--init-groups',
        '--inh-caps=-all,+net_admin',
        '--ambient-caps=-all,+net_admin',
        '--bounding-set=-all,+net_admin',
        '--',
      ],
    });
    try {
      const status = await readFile(`/proc/${proc.pid}/status`, 'utf8');
      expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe(String(uid));
      for (const set of ['CapEff', 'CapPrm', 'CapBnd']) {
        const hex = new RegExp(`^${set}:\\s+([0-9a-f]+)`, 'm').exec(status)?.[1];
        expect(BigInt(`0x${hex}`), set).toBe(CAP_NET_ADMIN);
      }
      const alice = lab.host('alice');
      await proc.send(alice, proc.knock());
      expect(await waitForTcp(alice, server.ipv4, PORT, 'open')).toBe('open');
      expect((await stat(join(proc.stateDir, 'replay.bin'))).uid).toBe(uid);
    } finally {
      await proc.cleanup();
    }
  });

  it('both CLIs refuse a private key that group or others can read', async () => {
    const files = await writeServerFiles({ host: server, services: { ssh: `tcp/${PORT}` } });
    try {
      await chmod(files.serverKeyFile, 0o640);
      const run = await runServerOnce(server, files.configPath);
      expect(run.exitCode).toBe(2);
      expect(run.stderr.trim()).toBe(
        `serverKeyFile: key file ${files.serverKeyFile} is accessible by group or others (mode 640): run chmod 600 ${files.serverKeyFile}`,
      );

      const alice = files.clients[0]!;
      const open = (keyFile: string) =>
        lab
          .host('alice')
          .exec(
            CLIENT_BIN,
            [
              'open',
              `tcp/${PORT}`,
              '--host',
              server.ipv4,
              '--server-key',
              files.serverPublicKey,
              '--key',
              keyFile,
              '--dry-run',
            ],
            { reject: false },
          );
      expect((await open(alice.keyFile)).exitCode).toBe(0); // the same key, 0600
      await chmod(alice.keyFile, 0o604);
      const refused = await open(alice.keyFile);
      expect(refused.exitCode).toBe(65);
      expect(String(refused.stderr).trim()).toBe(
        `spa-client: key file ${alice.keyFile} is accessible by group or others (mode 604): run chmod 600 ${alice.keyFile}`,
      );
    } finally {
      await files.remove();
    }
  });

  describe('no secret in any output of a full run', () => {
    it('private keys and datagram bytes appear in no log line, error, status or client output', async () => {
      const proc = await startServerProcess({
        host: server,
        backend: 'nftables',
        services: { ssh: `tcp/${PORT}` },
        // Every refusal logged, and no limiter in the way of the 1,000 hostile datagrams below.
        config: {
          log: { level: 'debug', refusalsPerSecond: 100_000 },
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
      const alice = lab.host('alice');
      const capture = await startCapture(server, ['udp', 'port', String(KNOCK_PORT)]);
      const outputs: string[] = [];
      const keep = (r: { stdout?: unknown; stderr?: unknown }) =>
        outputs.push(String(r.stdout ?? ''), String(r.stderr ?? ''));
      try {
        const client = proc.clients[0]!;
        // The real client, as talkative as it gets.
        keep(
          await alice.exec(
            CLIENT_BIN,
            [
              'open',
              `tcp/${PORT}`,
              '--host',
              server.ipv4,
              '--server-key',
              proc.serverPublicKey,
              '--key',
              client.keyFile,
              '--wait',
              '--verbose',
              '--json',
            ],
            { reject: false },
          ),
        );
        keep(
          await alice.exec(
            CLIENT_BIN,
            [
              'open',
              `tcp/${PORT}`,
              '--host',
              server.ipv4,
              '--server-key',
              proc.serverPublicKey,
              '--key',
              client.keyFile,
              '--dry-run',
              '--verbose',
              '--json',
            ],
            { reject: false },
          ),
        );
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
            to: server.ipv4,
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
          await server.exec(SERVER_BIN, ['check', '--config', proc.configPath, '--verbose'], {
            reject: false,
          }),
        );
        await chmod(join(proc.dir, 'server.key'), 0o600);
        for (const args of [
          ['status'],
          ['status', '--json'],
          ['check'],
          ['client-config', 'alice', '--host', server.ipv4],
        ]) {
          keep(await server.exec(SERVER_BIN, [...args, '--config', proc.configPath], { reject: false }));
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
});
