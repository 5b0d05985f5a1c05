/** Runs the real spa-client CLI inside a lab host, with a HOME whose profile comes from `spa-server client-config`. @module */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Host } from '../lab/netns.js';
import { SERVER_BIN, type ServerProcess } from './server-process.js';

/** The CLI the way a user runs it: the pnpm shim, which execs node on the bundle. */
export const CLIENT_BIN: string = fileURLToPath(
  new URL('../../../../node_modules/.bin/spa-client', import.meta.url),
);

export interface ClientResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ClientHome {
  readonly home: string;
  /** PATH and HOME only: no SPA_* variable of the machine running the tests leaks in. */
  readonly env: Record<string, string>;
  /** `spa-client ARGS` inside `host`. */
  run(
    host: Host,
    args: readonly string[],
    options?: { input?: string; env?: Record<string, string> },
  ): Promise<ClientResult>;
  cleanup(): Promise<void>;
}

/**
 * A HOME for `client` of `spa`: its key at ~/.config/spa/NAME.key and, as a user would do it, the output
 * of `spa-server client-config NAME --host ADDRESS` pasted unchanged into ~/.config/spa/config.json.
 */
export async function createClientHome(
  spa: ServerProcess,
  address: string,
  name = 'alice',
): Promise<ClientHome> {
  const home = await mkdtemp(join(tmpdir(), 'spa-client-e2e-'));
  const configDir = join(home, '.config', 'spa');
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  const client = spa.clients.find((c) => c.name === name);
  if (!client) throw new Error(`server has no client ${name}`);
  await copyFile(client.keyFile, join(configDir, `${name}.key`));
  const printed = await execa(SERVER_BIN, [
    'client-config',
    name,
    '--config',
    spa.configPath,
    '--host',
    address,
  ]);
  await writeFile(join(configDir, 'config.json'), printed.stdout);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home };
  return {
    home,
    env,
    async run(host, args, options = {}) {
      const r = await host.exec(CLIENT_BIN, args, {
        env: { ...env, ...options.env },
        extendEnv: false,
        reject: false,
        stripFinalNewline: false,
        input: options.input ?? '',
        timeout: 30_000,
      });
      return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

/**
 * Per-namespace /etc files (`ip netns exec` bind-mounts /etc/netns/NS/FILE over /etc/FILE): names for
 * the lab's addresses, and a resolver on loopback so that no lookup ever leaves the namespace.
 */
export async function setNamespaceEtc(host: Host, hosts: string): Promise<() => Promise<void>> {
  const dir = join('/etc/netns', host.ns);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'hosts'), `127.0.0.1 localhost\n::1 localhost\n${hosts}`);
  await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  return () => rm(dir, { recursive: true, force: true });
}

export interface DirectTarget {
  /** The server's address. */
  readonly host: string;
  /** spa-x25519:… */
  readonly serverKey: string;
  readonly keyFile: string;
}

/** `open tcp/PORT` aimed at a server with no profile (address, server key, key file), `extra` options after. */
export function directOpenArgs(to: DirectTarget, port: number, ...extra: string[]): string[] {
  return [
    'open',
    `tcp/${port}`,
    '--host',
    to.host,
    '--server-key',
    to.serverKey,
    '--key',
    to.keyFile,
    ...extra,
  ];
}
