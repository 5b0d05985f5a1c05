/** The real spa-server CLI in a lab namespace, with keys and config in a temp dir, for end-to-end tests. @module */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultPromise } from 'execa';
import type { ServicePorts } from 'spa-config/server-config';
import { formatPublicKey, type KnockRequest } from 'spa-protocol';
import { agentPath } from '../agents/agent-path.js';
import { type ClientSpec, encodeKnock, writeJson, writeSpaKeys } from '../build/spa-fixture.js';
import type { Host } from '../lab/netns.js';
import { copyIdentity } from './copy-identity.js';

/** The CLI the way a user runs it (the pnpm shim execs node, so the pid is the daemon's). */
export const SERVER_BIN = fileURLToPath(new URL('../../../../node_modules/.bin/spa-server', import.meta.url));
const SEND_DATAGRAM = agentPath('send-datagram.mjs');
export const KNOCK_PORT = 62201;

/** One parsed log line of the daemon (see packages/spa-server/README.md, "Logs"). */
export type LogLine = Record<string, unknown> & { readonly event: string; readonly level: string };

export type { ClientSpec };

export interface ServerClient {
  readonly name: string;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** The client's private key file (0600) in the temp dir. */
  readonly keyFile: string;
}

export interface ServerProcessOptions {
  readonly host: Host;
  readonly backend: 'nftables' | 'iptables';
  /** Name → 'tcp/PORT', a list, or a forwarded port `{port, forward}`; default { ssh: 'tcp/2222' }. */
  readonly services?: Record<string, ServicePorts>;
  /** Default: one client 'alice' with every service. */
  readonly clients?: readonly ClientSpec[];
  /** More server.json fields (defaultDuration, timestampWindow, log, ...), merged last. */
  readonly config?: Record<string, unknown>;
  /** Start on the files of an earlier run (same keys, same stateDir): a restart. */
  readonly reuse?: ServerProcess;
  /**
   * Another server of the same fleet: its server key, clients and config, with this host's listen
   * addresses and a state dir of its own.
   */
  readonly identity?: ServerProcess;
  readonly readyTimeoutMs?: number;
  /** A command the server runs under, e.g. setpriv with its arguments (it must exec the rest). */
  readonly wrapper?: readonly string[];
  /** The spa-server executable; default the workspace's (SERVER_BIN): one installed from npm, or a single-file build in dist/. */
  readonly bin?: string;
}

export interface ServerProcess {
  readonly dir: string;
  readonly configPath: string;
  readonly stateDir: string;
  readonly serverPublicKey: string;
  readonly serverPublicKeyBytes: Uint8Array;
  readonly clients: readonly ServerClient[];
  readonly pid: number;
  readonly host: Host;
  readonly options: ServerProcessOptions;
  /** Every log line so far. */
  logs(): LogLine[];
  /** Everything the daemon wrote on stderr so far. */
  stderr(): string;
  /** Resolves with the first line (already seen or future) matching; rejects after timeoutMs. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Builds a knock from `client` (default the first) for this server. */
  knock(request?: Partial<KnockRequest>, options?: { client?: string; nowMs?: number }): Uint8Array;
  /** Sends datagrams from a lab host to this server (IPv4 address by default). */
  send(from: Host, datagrams: Uint8Array | readonly Uint8Array[], to?: string): Promise<void>;
  /** SIGHUP. */
  reload(): Promise<void>;
  /** SIGTERM, then waits for exit; returns the exit code. */
  stop(): Promise<number | undefined>;
  /** SIGKILL, no chance to clean up. */
  kill9(): Promise<void>;
  /** Removes the temp dir (call after stop/kill9, once no restart needs it). */
  cleanup(): Promise<void>;
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const { host, backend, reuse } = options;
  const dir = reuse?.dir ?? (await mkdtemp(join(tmpdir(), 'spa-server-e2e-')));
  const configPath = join(dir, 'server.json');
  const stateDir = join(dir, 'state');
  let serverPublicKeyBytes: Uint8Array;
  let clients: ServerClient[];
  if (reuse) {
    serverPublicKeyBytes = reuse.serverPublicKeyBytes;
    clients = [...reuse.clients];
  } else if (options.identity) {
    const listen = [`${host.ipv4}:${KNOCK_PORT}`, `[${host.ipv6}]:${KNOCK_PORT}`];
    ({ serverPublicKeyBytes, clients } = await copyIdentity(options.identity, dir, listen, stateDir));
  } else {
    const specs = options.clients ?? [{ name: 'alice' }];
    const keys = await writeSpaKeys(
      dir,
      specs.map((spec) => spec.name),
    );
    serverPublicKeyBytes = keys.serverPublicKey;
    clients = keys.clients as ServerClient[];
    const config = keys.serverJson({
      listen: [`${host.ipv4}:${KNOCK_PORT}`, `[${host.ipv6}]:${KNOCK_PORT}`],
      serverKeyFile: 'server.key',
      stateDir,
      firewall: { backend, table: 'spa_e2e' },
      services: options.services ?? { ssh: 'tcp/2222' },
      // Most of these tests send knocks naming no address (the datagram source is opened); a test
      // of the default (signed addresses only) sets allowSourceAddress: false in its spec.
      clients: specs.map((spec) => ({ allowSourceAddress: true, ...spec })),
      ...(options.config ? { extra: options.config } : {}),
    });
    await writeJson(configPath, config);
  }

  const [file, ...args] = [...(options.wrapper ?? []), options.bin ?? SERVER_BIN, '--config', configPath];
  const child: ResultPromise = host.exec(file!, args, {
    reject: false,
    buffer: false,
    stdin: 'ignore',
    stderr: 'pipe',
  });
  const lines: LogLine[] = [];
  const waiters = new Set<{ predicate: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  let stderr = '';
  let pending = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
      const text = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { event: 'non-json', level: 'error', text };
      }
      lines.push(line);
      for (const w of waiters) if (w.predicate(line)) w.resolve(line);
    }
  });
  let exited = false;
  const exit = child.then((r) => {
    exited = true;
    return r.exitCode;
  });

  const waitForLog = (predicate: (l: LogLine) => boolean, timeoutMs = 5000): Promise<LogLine> => {
    const seen = lines.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (l: LogLine) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(l);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        const tail = lines.slice(-5).map((l) => JSON.stringify(l));
        reject(
          new Error(
            `no matching log line within ${timeoutMs} ms; last lines: ${tail.join(' ')} stderr: ${stderr}`,
          ),
        );
      }, timeoutMs);
      waiters.add(waiter);
      void exit.then(() => {
        if (waiters.has(waiter)) {
          clearTimeout(timer);
          waiters.delete(waiter);
          reject(new Error(`spa-server exited before the log line; stderr: ${stderr.trim()}`));
        }
      });
    });
  };

  const proc: ServerProcess = {
    dir,
    configPath,
    stateDir,
    serverPublicKey: formatPublicKey('server', serverPublicKeyBytes),
    serverPublicKeyBytes,
    clients,
    pid: child.pid ?? -1,
    host,
    options,
    logs: () => [...lines],
    stderr: () => stderr,
    waitForLog,
    knock(request = {}, knockOptions = {}) {
      const client = knockOptions.client ? clients.find((c) => c.name === knockOptions.client) : clients[0];
      if (!client) throw new Error(`no client ${knockOptions.client}`);
      return encodeKnock(serverPublicKeyBytes, client, request, knockOptions);
    },
    async send(from, datagrams, to = host.ipv4) {
      const list = datagrams instanceof Uint8Array ? [datagrams] : datagrams;
      const hex = list.map((d) => Buffer.from(d).toString('hex'));
      await from.exec(process.execPath, [SEND_DATAGRAM, to, String(KNOCK_PORT), ...hex]);
    },
    async reload() {
      child.kill('SIGHUP');
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      return exit;
    },
    async kill9() {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
    async cleanup() {
      if (!exited) child.kill('SIGKILL');
      await exit;
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitForLog((l) => l.event === 'daemon.listening', options.readyTimeoutMs ?? 10_000);
  } catch (error) {
    await proc.kill9();
    if (!reuse) await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return proc;
}
