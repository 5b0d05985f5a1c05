/** Test harness: runs the built spa-client binary with a clean environment, and a loopback "server" that decodes knocks. @module */
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { nodeBackend } from 'spa-node';
import {
  ClientTable,
  createServerContext,
  decodeDatagram,
  NO_REPLAY_MEMORY,
  parsePrivateKey,
  type SignedKnock,
} from 'spa-protocol';
import { spaKeys } from 'spa-test-kit/build/spa-fixture';
import { afterAll, beforeAll, expect } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
export const BIN: string = join(root, 'packages', 'spa-client', 'bin', 'spa-client.js');

/**
 * The global setup bundles the CLIs; this covers running one file on its own before that existed.
 * With the Node on PATH, as the global setup: the code cache is made by the Node that makes it, and
 * a run of the tests under another Node must not replace the build's (nor empty dist/ under a test).
 */
export async function ensureBuilt(): Promise<void> {
  if (existsSync(join(root, 'packages', 'spa-client', 'dist', 'cli.cjs'))) return;
  await execa('node', [join(root, 'scripts', 'bundle.mjs'), 'spa-client'], { cwd: root });
}

export interface Sandbox {
  readonly home: string;
  readonly keyFile: string;
  readonly publicKey: string;
  readonly serverKey: string;
  readonly serverSecret: Uint8Array;
  readonly env: Record<string, string>;
  /** Writes ~/.config/spa/config.json (or `path`) and returns its path. */
  writeProfile(profile: unknown, path?: string): string;
  run(args: readonly string[], options?: RunOptions): Promise<CliResult>;
  cleanup(): void;
}

export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: Record<string, string>;
  readonly input?: string;
  readonly timeoutMs?: number;
}

/** A fresh HOME with a client key (0600) and a server key pair; no SPA_* variables leak in. */
export async function createSandbox(): Promise<Sandbox> {
  await ensureBuilt();
  const home = mkdtempSync(join(tmpdir(), 'spa-cli-'));
  const keyFile = join(home, 'client.key');
  const made = await execa(process.execPath, [BIN, 'keygen', '--out', keyFile], {
    env: { PATH: process.env.PATH ?? '', HOME: home },
    extendEnv: false,
  });
  const server = spaKeys([]);
  const env = { PATH: process.env.PATH ?? '', HOME: home };
  return {
    home,
    keyFile,
    publicKey: made.stdout.trim(),
    serverKey: server.serverKeyText,
    serverSecret: server.serverSecretKey,
    env,
    writeProfile(profile, path = join(home, '.config', 'spa', 'config.json')) {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, typeof profile === 'string' ? profile : JSON.stringify(profile));
      return path;
    },
    async run(args, options = {}) {
      const r = await execa(process.execPath, [BIN, ...args], {
        env: { ...env, ...options.env },
        extendEnv: false,
        reject: false,
        input: options.input ?? '',
        cwd: home,
        timeout: options.timeoutMs ?? 20_000,
      });
      return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

export interface KnockSink {
  readonly port: number;
  readonly address: string;
  /** Raw datagrams received so far. */
  readonly datagrams: Uint8Array[];
  /** Each datagram through every protocol check, as the server would run them. */
  decoded(): SignedKnock[];
  close(): Promise<void>;
}

/** A UDP socket on loopback that collects knocks and decodes them with the sandbox's server key. */
export async function createKnockSink(sandbox: Sandbox, address = '127.0.0.1'): Promise<KnockSink> {
  const socket: Socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  const datagrams: Uint8Array[] = [];
  socket.on('message', (m) => datagrams.push(new Uint8Array(m)));
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  const ctx = createServerContext(nodeBackend, sandbox.serverSecret);
  const { readFileSync } = await import('node:fs');
  const clientSecret = parsePrivateKey('client', readFileSync(sandbox.keyFile, 'utf8'));
  const clientPublic = nodeBackend.ed25519PublicKey(clientSecret);
  const table = new ClientTable(ctx, [{ publicKey: clientPublic }]);
  return {
    port: socket.address().port,
    address,
    datagrams,
    decoded: () =>
      datagrams.map((d) => {
        const result = decodeDatagram(ctx, table, d, {
          nowMs: Date.now(),
          windowMs: 60_000,
          seen: NO_REPLAY_MEMORY,
          replay: NO_REPLAY_MEMORY,
        });
        if (!result.ok) throw new Error(`knock refused: ${result.reason}`);
        return result.value.knock;
      }),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

export function cleanupDirs(...dirs: string[]): void {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

/** The options that make a complete request without a profile, aimed at `sink`. */
export function directArgs(sandbox: Sandbox, sink: KnockSink): string[] {
  return [
    '--host',
    '127.0.0.1',
    '--spa-port',
    String(sink.port),
    '--server-key',
    sandbox.serverKey,
    '--key',
    sandbox.keyFile,
  ];
}

/** What every error must look like: one line, `spa-client: …`, no stack trace. */
export function expectOneLine(text: string): void {
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(text).toMatch(/^spa-client: /);
  expect(text).not.toMatch(/\n\s+at /);
}

/** The sandbox of a CLI test file, with its knock sink and (optionally) an open TCP port. */
export interface SandboxEnv extends Sandbox {
  readonly sink: KnockSink;
  /** A loopback TCP port that accepts (and drops) connections: a "service" that is open. */
  readonly openPort: number;
  /** The options that make a complete request without a profile, aimed at the sink. */
  direct(): string[];
  /** A profile whose one host, vpn.test, is the sink, with the sandbox's keys; `overrides` merged into the host. */
  profile(services: Record<string, unknown>, overrides?: Record<string, unknown>): unknown;
}

/**
 * Registers the hooks of a CLI test file: a sandbox and a knock sink for the whole file, plus
 * (with `listener`) an open TCP port; all removed afterwards. Usable once beforeAll has run.
 */
export function useSandbox(options: { readonly listener?: boolean } = {}): SandboxEnv {
  let sb: Sandbox | undefined;
  let sink: KnockSink | undefined;
  let openPort = 0;
  let listener: Server | undefined;
  const made = (): Sandbox => {
    if (!sb) throw new Error('the sandbox exists once beforeAll has run');
    return sb;
  };
  const env: SandboxEnv = {
    get home() {
      return made().home;
    },
    get keyFile() {
      return made().keyFile;
    },
    get publicKey() {
      return made().publicKey;
    },
    get serverKey() {
      return made().serverKey;
    },
    get serverSecret() {
      return made().serverSecret;
    },
    get env() {
      return made().env;
    },
    writeProfile: (profile, path) => made().writeProfile(profile, path),
    run: (args, runOptions) => made().run(args, runOptions),
    cleanup: () => made().cleanup(),
    get sink() {
      if (!sink) throw new Error('the knock sink exists once beforeAll has run');
      return sink;
    },
    get openPort() {
      return openPort;
    },
    direct: () => directArgs(made(), env.sink),
    profile: (services, overrides = {}) => ({
      hosts: {
        'vpn.test': {
          host: '127.0.0.1',
          port: env.sink.port,
          serverKey: env.serverKey,
          keyFile: env.keyFile,
          services,
          ...overrides,
        },
      },
    }),
  };
  beforeAll(async () => {
    sb = await createSandbox();
    sink = await createKnockSink(sb);
    if (options.listener) {
      const server = createServer((s) => s.destroy()).listen(0, '127.0.0.1');
      listener = server;
      await new Promise((r) => server.once('listening', r));
      openPort = (server.address() as { port: number }).port;
    }
  }, 60_000);
  afterAll(async () => {
    await sink?.close();
    listener?.close();
    sb?.cleanup();
  });
  return env;
}
