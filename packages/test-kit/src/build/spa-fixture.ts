/** The one builder of test and benchmark material: server and client keys (in memory or in 0600 files), server.json, and knocks. @module */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServicePorts } from 'spa-config/server-config';
import { nodeBackend, writeNewKeyFile } from 'spa-node';
import {
  type CryptoBackend,
  encodeDatagram,
  formatPublicKey,
  generateKeyPair,
  type KnockRequest,
  type RandomSource,
} from 'spa-protocol';

/** A client's key pair; keyFile is set when the private key was written to a file. */
export interface FixtureClient {
  readonly name: string;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly keyFile?: string;
}

/** A client entry of server.json: its name and any other fields (services, expires, sourceNetworks...). */
export interface ClientSpec {
  readonly name: string;
  readonly [field: string]: unknown;
}

export interface ServerJsonOptions {
  readonly listen: readonly string[];
  readonly serverKeyFile: string;
  readonly stateDir: string;
  readonly firewall: Record<string, unknown>;
  /** Name → 'tcp/PORT', a list, or a forwarded port `{port, forward}`. */
  readonly services: Record<string, ServicePorts>;
  /** Entries for some of the fixture's clients, fields merged over `{ services: every service }`; default all of them. */
  readonly clients?: readonly ClientSpec[];
  /** More top-level fields, merged last. */
  readonly extra?: Record<string, unknown>;
}

export interface KnockOptions {
  /** The client's name, or a key pair of its own (a stranger, a forger); default the first client. */
  readonly client?: string | Pick<FixtureClient, 'secretKey' | 'publicKey'>;
  /** The knock's clock (its timestamp), in ms. */
  readonly nowMs?: number;
  /** Another server's public key (a knock for the wrong server). */
  readonly server?: Uint8Array;
  /** Another backend and random source (benchmarks building many knocks fast). */
  readonly backend?: CryptoBackend;
  readonly random?: RandomSource;
}

export interface SpaFixture {
  readonly serverSecretKey: Uint8Array;
  readonly serverPublicKey: Uint8Array;
  /** spa-x25519:… as clients are given it. */
  readonly serverKeyText: string;
  /** Set when the keys were written to a directory. */
  readonly serverKeyFile?: string;
  readonly clients: readonly FixtureClient[];
  /** The client called `name` (default the first); throws if there is none. */
  client(name?: string): FixtureClient;
  /** server.json as an object, every client's public key filled in. */
  serverJson(options: ServerJsonOptions): Record<string, unknown>;
  /** An open knock for service ssh, with `request` merged over it. */
  knock(request?: Partial<KnockRequest>, options?: KnockOptions): Uint8Array;
}

/** A client key pair in memory. */
export function clientKeys(name: string): FixtureClient {
  const pair = generateKeyPair(nodeBackend, 'client');
  return { name, secretKey: pair.secretKey, publicKey: pair.publicKey };
}

/** A client's public key as server.json and authorized-keys files name it (spa-ed25519:…). */
export function clientKeyText(client: Pick<FixtureClient, 'publicKey'>): string {
  return formatPublicKey('client', client.publicKey);
}

/** Fresh keys in memory: a server and `clientNames` (or ready client pairs). */
export function spaKeys(clients: readonly (string | FixtureClient)[] = ['alice']): SpaFixture {
  const server = generateKeyPair(nodeBackend, 'server');
  const pairs = clients.map((c) => (typeof c === 'string' ? clientKeys(c) : c));
  return fixture(server.secretKey, server.publicKey, pairs);
}

/** Fresh keys written the way an operator would (0600, never overwritten): DIR/server.key and DIR/NAME.key. */
export async function writeSpaKeys(
  dir: string,
  clientNames: readonly string[] = ['alice'],
): Promise<SpaFixture> {
  const serverKeyFile = join(dir, 'server.key');
  const server = await writeNewKeyFile(nodeBackend, 'server', serverKeyFile);
  const clients: FixtureClient[] = [];
  for (const name of clientNames) {
    const keyFile = join(dir, `${name}.key`);
    const pair = await writeNewKeyFile(nodeBackend, 'client', keyFile);
    clients.push({ name, secretKey: pair.secretKey, publicKey: pair.publicKey, keyFile });
  }
  return fixture(server.secretKey, server.publicKey, clients, serverKeyFile);
}

/** Writes `value` as pretty JSON with a final newline (server.json, client profiles). */
export async function writeJson(path: string, value: unknown, mode?: number): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`, mode === undefined ? {} : { mode });
}

/** Encodes an open knock for service ssh (request fields merged over it) from `client` to `serverPublicKey`. */
export function encodeKnock(
  serverPublicKey: Uint8Array,
  client: Pick<FixtureClient, 'secretKey' | 'publicKey'>,
  request: Partial<KnockRequest> = {},
  options: Omit<KnockOptions, 'client' | 'server'> = {},
): Uint8Array {
  return encodeDatagram({
    backend: options.backend ?? nodeBackend,
    ...(options.random ? { random: options.random } : {}),
    serverPublicKey,
    clientSecretKey: client.secretKey,
    clientPublicKey: client.publicKey,
    request: {
      kind: 'open',
      access: [{ type: 'service', name: 'ssh' }],
      addresses: [],
      durationSeconds: 0,
      ...request,
    },
    ...(options.nowMs !== undefined ? { now: () => options.nowMs! } : {}),
  }).datagram;
}

/** server.json as an object for `clients` (their public keys filled in from the pairs). */
export function serverJson(clients: readonly FixtureClient[], o: ServerJsonOptions): Record<string, unknown> {
  const specs = o.clients ?? clients.map((c) => ({ name: c.name }));
  const pairOf = (name: string): FixtureClient => {
    const found = clients.find((c) => c.name === name);
    if (!found) throw new Error(`no client ${name}`);
    return found;
  };
  return {
    listen: [...o.listen],
    serverKeyFile: o.serverKeyFile,
    stateDir: o.stateDir,
    firewall: o.firewall,
    services: o.services,
    clients: specs.map((spec) => ({
      services: Object.keys(o.services),
      ...spec,
      publicKey: clientKeyText(pairOf(spec.name)),
    })),
    ...o.extra,
  };
}

function fixture(
  serverSecretKey: Uint8Array,
  serverPublicKey: Uint8Array,
  clients: readonly FixtureClient[],
  serverKeyFile?: string,
): SpaFixture {
  const client = (name?: string): FixtureClient => {
    const found = name === undefined ? clients[0] : clients.find((c) => c.name === name);
    if (!found) throw new Error(`no client ${name ?? '(none made)'}`);
    return found;
  };
  return {
    serverSecretKey,
    serverPublicKey,
    serverKeyText: formatPublicKey('server', serverPublicKey),
    ...(serverKeyFile === undefined ? {} : { serverKeyFile }),
    clients,
    client,
    serverJson: (o) => serverJson(clients, o),
    knock(request = {}, options = {}) {
      const from = typeof options.client === 'object' ? options.client : client(options.client);
      return encodeKnock(options.server ?? serverPublicKey, from, request, options);
    },
  };
}
