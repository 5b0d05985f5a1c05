/** A server's files in a temp dir (keys 0600, server.json) for tests that run the binary themselves: bad starts, odd users, broken configs. @module */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Host } from '../lab/netns.js';
import { KNOCK_PORT, SERVER_BIN } from '../processes/server-process.js';
import { type FixtureClient, writeJson, writeSpaKeys } from './spa-fixture.js';

export type FileClient = Required<FixtureClient>;

export interface ServerFiles {
  readonly dir: string;
  readonly configPath: string;
  readonly serverKeyFile: string;
  readonly stateDir: string;
  readonly serverPublicKey: string;
  readonly serverPublicKeyBytes: Uint8Array;
  readonly clients: readonly FileClient[];
  /** The server.json written last, as an object. */
  config(): Record<string, unknown>;
  /** Rewrites server.json: the base config with `patch` merged over it (top-level fields). */
  writeConfig(patch?: Record<string, unknown>): Promise<void>;
  /** Writes server.json as raw text (for syntax errors). */
  writeRaw(text: string): Promise<void>;
  remove(): Promise<void>;
}

export interface ServerFilesOptions {
  readonly host: Host;
  readonly backend?: 'nftables' | 'iptables';
  readonly table?: string;
  readonly services?: Record<string, string | string[]>;
  readonly clientNames?: readonly string[];
  readonly config?: Record<string, unknown>;
}

export async function writeServerFiles(options: ServerFilesOptions): Promise<ServerFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'spa-files-'));
  const configPath = join(dir, 'server.json');
  const stateDir = join(dir, 'state');
  const keys = await writeSpaKeys(dir, options.clientNames ?? ['alice']);
  const serverKeyFile = keys.serverKeyFile!;
  const base = keys.serverJson({
    listen: [`${options.host.ipv4}:${KNOCK_PORT}`],
    serverKeyFile,
    stateDir,
    firewall: { backend: options.backend ?? 'nftables', table: options.table ?? 'spa_e2e' },
    services: options.services ?? { ssh: 'tcp/2222' },
    ...(options.config ? { extra: options.config } : {}),
  });
  let current = base;
  const files: ServerFiles = {
    dir,
    configPath,
    serverKeyFile,
    stateDir,
    serverPublicKey: keys.serverKeyText,
    serverPublicKeyBytes: keys.serverPublicKey,
    clients: keys.clients as FileClient[],
    config: () => structuredClone(current),
    async writeConfig(patch = {}) {
      current = { ...base, ...patch };
      await writeJson(configPath, current);
    },
    writeRaw: (text) => writeFile(configPath, text),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  await files.writeConfig();
  return files;
}

export interface FailedStart {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** True when it was still running at the deadline (and was killed): it started when it should not have. */
  readonly timedOut: boolean;
}

/**
 * Runs `spa-server --config FILE` in `host`, optionally behind a wrapper command (e.g. unshare +
 * with-mounts.mjs), expecting it to refuse to start; kills it at the deadline if it does not.
 */
export async function runServerOnce(
  host: Host,
  configPath: string,
  wrapper: readonly string[] = [],
  timeoutMs = 8000,
): Promise<FailedStart> {
  const [file, ...args] = [...wrapper, SERVER_BIN, '--config', configPath];
  const result = await host.exec(file!, args, { reject: false, timeout: timeoutMs, stdin: 'ignore' });
  return {
    exitCode: result.exitCode,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    timedOut: result.timedOut === true,
  };
}
