/** spa-server as a ServerUnderTest: the bundled CLI in the server namespace, nftables, a stock config. @module */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { epochMs } from './clock.js';
import { stopOnce, untilReady } from './daemon-lifecycle.js';
import type { BenchEnv, Command, RunningServer, ServerUnderTest, StartOptions } from './server-under-test.js';
import { buildKnock, buildManyKnocks, buildSniffedTagKnocks } from './spa-knocks.js';
import {
  METRICS_PORT,
  parsePrometheus,
  SERVICE,
  SPA_UDP_PORT,
  writeSpaServerFiles,
} from './spa-server-files.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The bin files a package install links onto PATH; run with this Node, as their shebang would. */
const SERVER_BIN = join(ROOT, 'packages/spa-server/bin/spa-server.js');
const CLIENT_BIN = join(ROOT, 'packages/spa-client/bin/spa-client.js');
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5000;

/** Creates the spa-server side of the benchmark. */
export function createSpaServer(): ServerUnderTest {
  return {
    name: 'spa-server',
    async prepare() {
      // The run measures the code in the tree, not whatever was bundled last.
      for (const name of ['spa-server', 'spa-client']) {
        await execa(process.execPath, [join(ROOT, 'scripts/bundle.mjs'), name], { cwd: ROOT });
      }
    },
    async version() {
      const daemon = await execa(process.execPath, [SERVER_BIN, '--version']);
      const nft = await execa('nft', ['--version']);
      return `spa-server ${daemon.stdout.trim()}, Node ${process.version}; ${nft.stdout.trim()}`;
    },
    start: startSpaServer,
  };
}

/**
 * The NODE_OPTIONS of packages/spa-server/systemd/spa-server.service, read from it as the build's
 * warm-up reads it: the daemon's code cache is made under exactly these flags.
 */
export const UNIT_NODE_FLAGS = unitNodeFlags();

function unitNodeFlags(): string {
  const unit = readFileSync(join(ROOT, 'packages/spa-server/systemd/spa-server.service'), 'utf8');
  const flags = /^Environment="NODE_OPTIONS=([^"]*)"$/m.exec(unit)?.[1];
  if (flags === undefined)
    throw new Error('packages/spa-server/systemd/spa-server.service sets no NODE_OPTIONS');
  return flags;
}

async function startSpaServer(env: BenchEnv, options: StartOptions): Promise<RunningServer> {
  const { server } = env;
  const dir = await mkdtemp(join(env.workDir, 'spa-server-'));
  const files = await writeSpaServerFiles(dir, {
    ipv4: server.ipv4,
    ipv6: server.ipv6,
    protectedPort: env.protectedPort,
    accessTimeoutS: options.accessTimeoutS,
    bulk: options.bulk === true,
  });
  // BENCH_SERVER_NODE_FLAGS (space-separated): V8 or Node flags for the daemon only, to measure one.
  // Unset, the daemon runs with the flags of the shipped systemd unit (its NODE_OPTIONS), as installed.
  const nodeFlags = (process.env.BENCH_SERVER_NODE_FLAGS ?? UNIT_NODE_FLAGS)
    .split(' ')
    .filter((f) => f !== '');
  const daemon = server.exec(process.execPath, [...nodeFlags, SERVER_BIN, '--config', files.configPath], {
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
  });
  const grants: number[] = [];
  const tail: string[] = [];
  // Error lines by kind, for the results: a failure counter that moves in a run says what failed.
  const errors: Record<string, { count: number; first: string }> = {};
  const keepError = (line: string): void => {
    let entry: { event?: unknown; operation?: unknown; reason?: unknown; error?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return;
    }
    const kind = [entry.event, entry.operation ?? entry.reason].filter((v) => v !== undefined).join(' ');
    const seen = errors[kind] ?? { count: 0, first: String(entry.error ?? '').slice(0, 300) };
    seen.count++;
    errors[kind] = seen;
  };
  let ready: (() => void) | undefined;
  const readyPromise = new Promise<void>((resolve) => {
    ready = resolve;
  });
  // One JSON line per decision (packages/spa-server/README.md, "Logs"); only the event name matters
  // here, and a cheap substring test keeps a 100,000-grant phase from parsing 100,000 objects.
  createInterface({ input: daemon.stdout! }).on('line', (line) => {
    if (line.includes('"event":"knock.accepted"')) grants.push(epochMs());
    else if (line.includes('"event":"daemon.listening"')) ready?.();
    if (line.includes('"level":"error"')) keepError(line);
    if (!line.includes('"event":"knock.')) {
      tail.push(line);
      if (tail.length > 50) tail.shift();
    }
  });
  createInterface({ input: daemon.stderr! }).on('line', (line) => {
    tail.push(line);
    if (tail.length > 50) tail.shift();
  });

  const stop = stopOnce(daemon, STOP_TIMEOUT_MS, async () => {
    // Stopping leaves grants in the kernel by design (they expire there); the table is ours to remove.
    await server.exec(process.execPath, [SERVER_BIN, 'flush', '--config', files.configPath], {
      reject: false,
    });
    await rm(dir, { recursive: true, force: true });
  });

  await untilReady({
    name: 'spa-server',
    daemon,
    ready: readyPromise,
    tail: () => tail.join('\n'),
    stop,
    timeoutMs: START_TIMEOUT_MS,
  });

  /** The real client CLI with this server's keys, asking for `allowIp`; `command` is e.g. open ACCESS. */
  const clientCli = (
    allowIp: string,
    target: { address: string; port: number },
    command: readonly string[],
  ): Command => {
    if (!isIP(allowIp) || !isIP(target.address)) throw new Error(`not an IP: ${allowIp}, ${target.address}`);
    return {
      file: process.execPath,
      args: [
        CLIENT_BIN,
        ...command,
        '--host',
        target.address,
        '--spa-port',
        String(target.port),
        '--server-key',
        files.serverKeyText,
        '--key',
        files.clientKeyFile,
        '--allow-ip',
        allowIp,
      ],
      // No profile of the machine's root user is read: HOME is the server's private work dir.
      env: { HOME: dir },
    };
  };

  return {
    pid: daemon.pid!,
    knockAddress: server.ipv4,
    knockPort: SPA_UDP_PORT,
    // The address signed into the knock, as `spa-client open` does by default (the stock server refuses
    // source-mode knocks: allowSourceAddress is off); the prober sends it from that same address.
    knock: async (allowIp) => buildKnock(files.keys, { addresses: [allowIp] }),
    clientCommand: (allowIp, target) => clientCli(allowIp, target, ['open', `tcp/${env.protectedPort}`]),
    openWaitCommand: (allowIp) =>
      clientCli(allowIp, { address: server.ipv4, port: SPA_UDP_PORT }, [
        'open',
        `tcp/${env.protectedPort}`,
        '--wait',
        '--json',
      ]),
    async agentCommand(socketPath) {
      // allowIp auto: the route's local address, the run's source (the alias pool's addresses are in
      // another scope than the server's, where the default would want discovery). The protected port
      // as a service, as `spa-server client-config` writes it: the agent serves a socket for it.
      const entry = {
        port: SPA_UDP_PORT,
        serverKey: files.serverKeyText,
        keyFile: files.clientKeyFile,
        allowIp: 'auto',
        services: { [SERVICE]: `tcp/${env.protectedPort}` },
      };
      const profile = { hosts: { [server.ipv4]: entry } };
      const profilePath = join(dir, 'agent-profile.json');
      await writeFile(profilePath, JSON.stringify(profile), { mode: 0o600 });
      return {
        file: process.execPath,
        args: [CLIENT_BIN, 'agent', '--socket', socketPath, '--config', profilePath],
        env: { HOME: dir },
      };
    },
    connectCommand: (allowIp) =>
      clientCli(allowIp, { address: server.ipv4, port: SPA_UDP_PORT }, [
        'connect',
        '--port',
        String(env.protectedPort),
      ]),
    forgedKnocks: (kind, count, sniffed) =>
      kind === 'sniffed-tag'
        ? buildSniffedTagKnocks(files.keys, count, sniffed)
        : buildManyKnocks(
            files.keys,
            Array.from({ length: count }, () => ({ addresses: [], forged: true })),
          ),
    // Spread over the bench's keys in turn: no one key may hold 100,000 live grants (maxGrantsPerClient).
    async knocksFor(addresses, durations = []) {
      const n = files.bulkKeys.length;
      const spec = (a: string, i: number) => ({ addresses: [a], durationSeconds: durations[i] ?? 0 });
      const perKey = await Promise.all(
        files.bulkKeys.map((keys, k) =>
          buildManyKnocks(
            keys,
            addresses.map(spec).filter((_, i) => i % n === k),
          ),
        ),
      );
      return addresses.map((_, i) => perKey[i % n]![Math.floor(i / n)]!);
    },
    async liveGrants() {
      // What an operator would run: the daemon's ledger, with the table's shape read from the kernel.
      // BENCH_STATUS_PROF=DIR: each status writes a V8 CPU profile into DIR (its idle time is its waits).
      const prof = process.env.BENCH_STATUS_PROF;
      const args = [
        ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []),
        SERVER_BIN,
        ...['status', '--json', '--config', files.configPath],
      ];
      const at = epochMs();
      const r = await server.exec(process.execPath, args, { timeout: 60_000 });
      const ms = epochMs() - at;
      const report = JSON.parse(String(r.stdout)) as { grants: unknown[]; shapeFrom?: string };
      return { count: report.grants.length, ms, parseMs: epochMs() - at - ms, shapeFrom: report.shapeFrom };
    },
    errors: () => structuredClone(errors),
    async counters() {
      const r = await server.exec('curl', [
        '-sf',
        '--max-time',
        '5',
        `http://127.0.0.1:${METRICS_PORT}/metrics`,
      ]);
      return parsePrometheus(String(r.stdout));
    },
    grantTimes: () => grants,
    stop,
  } satisfies RunningServer;
}
