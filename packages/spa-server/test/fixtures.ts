/** Test fixtures: a valid ResolvedConfig on the kit's fresh keys, and knocks encoded for it. @module */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBackend } from 'spa-node';
import { computeKeyId, type KnockRequest } from 'spa-protocol';
import { clientKeys, spaKeys } from 'spa-test-kit/build/spa-fixture';
import type { ResolvedClient, ResolvedConfig } from '../src/config/resolved-config.js';
import type { PortSpec } from '../src/firewall/driver.js';

export interface TestClient {
  readonly name: string;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly resolved: ResolvedClient;
}

export interface Fixture {
  readonly config: ResolvedConfig;
  readonly serverPublicKey: Uint8Array;
  readonly clients: TestClient[];
  /** Encodes a knock from `client` (default: the first) for this server. */
  knock(
    request?: Partial<KnockRequest>,
    options?: { client?: TestClient; now?: number; server?: Uint8Array },
  ): Uint8Array;
}

export const SERVICES: ReadonlyMap<string, readonly PortSpec[]> = new Map([
  ['ssh', [{ protocol: 'tcp', port: 22 }]],
  [
    'web',
    [
      { protocol: 'tcp', port: 80 },
      { protocol: 'tcp', port: 443 },
    ],
  ],
  ['dns', [{ protocol: 'udp', port: 53 }]],
]);

export function makeClient(name: string, overrides: Partial<ResolvedClient> = {}): TestClient {
  const pair = clientKeys(name);
  const keyId = computeKeyId(nodeBackend, pair.publicKey);
  return {
    name,
    secretKey: pair.secretKey,
    publicKey: pair.publicKey,
    resolved: {
      name,
      publicKey: pair.publicKey,
      keyField: `client "${name}": publicKey`,
      keyIdHex: Buffer.from(keyId).toString('hex'),
      services: ['ssh', 'web'],
      maxDurationSeconds: 300,
      sourceNetworks: [],
      allowSourceAddress: true,
      oneShot: false,
      expiresAtMs: undefined,
      ...overrides,
    },
  };
}

export function makeFixture(
  overrides: Partial<ResolvedConfig> = {},
  clients: TestClient[] = [makeClient('alice'), makeClient('bob', { services: ['dns'] })],
): Fixture {
  const keys = spaKeys(clients);
  const config: ResolvedConfig = {
    source: '/test/server.json',
    listen: [{ address: '127.0.0.1', port: 0 }],
    serverSecretKey: keys.serverSecretKey,
    serverPublicKey: keys.serverPublicKey,
    stateDir: mkdtempSync(join(tmpdir(), 'spa-state-')),
    firewall: { backend: 'nftables', table: 'spa_test', iptablesVariant: 'nft', knockGate: true },
    services: SERVICES,
    clients: clients.map((c) => c.resolved),
    timestampWindowSeconds: 60,
    futureWindowSeconds: 5,
    defaultDurationSeconds: 30,
    maxDurationSeconds: 3600,
    maxGrantsPerClient: 64,
    rateLimit: {
      perSourceRate: 1000,
      perSourceBurst: 1000,
      maxSources: 1000,
      perClientRate: 1,
      perClientBurst: 10,
    },
    replay: { capacity: 65_536, perClient: 4096 },
    queueSize: 1000,
    log: { level: 'debug', refusalsPerSecond: 1_000_000 },
    metrics: undefined,
    hooks: { commands: {}, timeoutMs: 5000, maxConcurrent: 2, maxQueue: 100 },
    ...overrides,
  };
  return {
    config,
    serverPublicKey: keys.serverPublicKey,
    clients,
    knock: (request = {}, options = {}) =>
      keys.knock(request, {
        client: options.client ?? clients[0]!,
        ...(options.server ? { server: options.server } : {}),
        ...(options.now !== undefined ? { nowMs: options.now } : {}),
      }),
  };
}
