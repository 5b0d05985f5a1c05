/** spa-server's keys and server.json for one benchmark start, written the way an operator would. @module */
import { join } from 'node:path';
import { MAX_REPLAY_CAPACITY } from 'spa-config/server-config';
import { writeJson, writeSpaKeys } from 'spa-test-kit/build/spa-fixture';
import type { KnockKeys } from './spa-knocks.js';

/** spa-server's default port, as fwknopd's is 62201 too. */
export const SPA_UDP_PORT = 62201;
/** Scraped from inside the server namespace only. */
export const METRICS_PORT = 9262;
/** nftables table name: not the default "spa", so a bench run is recognisable in `nft list tables`. */
const TABLE = 'spa_bench';
/** The protected port's service name, in server.json and in the agent's profile. */
export const SERVICE = 'bench';
/** Window for bulk knocks: 100,000 are built before the first is sent (config allows up to 3600 s). */
const BULK_WINDOW_S = 1800;
/** The most live grants server.json lets one client hold (its default is 64): the bench's one key is everyone. */
const MAX_GRANTS_PER_CLIENT = 65_536;
/** Keys the bulk phase spreads its knocks over: 100,000 live grants are more than one key may hold. */
const BULK_KEYS = 2;

export interface SpaServerFiles {
  readonly configPath: string;
  readonly keys: KnockKeys;
  /** `keys` and the other bench keys, for the bulk phase. */
  readonly bulkKeys: readonly KnockKeys[];
  /** The client's private key file (0600), for the real spa-client. */
  readonly clientKeyFile: string;
  /** spa-x25519:… as clients are given it. */
  readonly serverKeyText: string;
}

export interface SpaConfigOptions {
  readonly ipv4: string;
  readonly ipv6: string;
  readonly protectedPort: number;
  readonly accessTimeoutS: number;
  readonly bulk: boolean;
}

/** Writes server.key, bench.key (both 0600, never overwritten) and server.json into `dir`. */
export async function writeSpaServerFiles(dir: string, o: SpaConfigOptions): Promise<SpaServerFiles> {
  const names = Array.from({ length: BULK_KEYS }, (_, i) => (i === 0 ? 'bench' : `bench${i + 1}`));
  const keys = await writeSpaKeys(dir, names);
  const client = keys.client('bench');
  const knockKeys = (name: string): KnockKeys => {
    const c = keys.client(name);
    return {
      serverPublicKey: keys.serverPublicKey,
      clientSecretKey: c.secretKey,
      clientPublicKey: c.publicKey,
      service: SERVICE,
    };
  };
  const config = keys.serverJson({
    listen: [`${o.ipv4}:${SPA_UDP_PORT}`, `[${o.ipv6}]:${SPA_UDP_PORT}`],
    serverKeyFile: 'server.key',
    stateDir: 'state',
    firewall: { backend: 'nftables', table: TABLE },
    services: { [SERVICE]: `tcp/${o.protectedPort}` },
    extra: bulkOrStock(o),
  });
  const configPath = join(dir, 'server.json');
  await writeJson(configPath, config, 0o600);
  return {
    configPath,
    clientKeyFile: client.keyFile!,
    serverKeyText: keys.serverKeyText,
    keys: knockKeys('bench'),
    bulkKeys: names.map(knockKeys),
  };
}

/** The server.json fields beyond keys, listen, firewall and services. */
function bulkOrStock(o: SpaConfigOptions): Record<string, unknown> {
  return {
    defaultDuration: o.accessTimeoutS,
    maxDuration: Math.max(3600, o.accessTimeoutS),
    // Defaults everywhere else: the figures are those of a stock configuration, except that one key
    // stands in for every user of the benchmark, so its per-client limits are a whole site's.
    rateLimit: { perClientRate: 100_000, perClientBurst: 100_000 },
    maxGrantsPerClient: MAX_GRANTS_PER_CLIENT,
    ...(o.bulk
      ? {
          timestampWindow: BULK_WINDOW_S,
          // One sender delivers every bulk knock; the per-source bucket would hold it to 5/s.
          rateLimit: {
            perSourceRate: 100_000,
            perSourceBurst: 100_000,
            perClientRate: 100_000,
            perClientBurst: 100_000,
          },
          // Every bulk knock stays inside the window, so the store must hold them all.
          replay: { capacity: MAX_REPLAY_CAPACITY, perClient: MAX_REPLAY_CAPACITY - 1 },
        }
      : {}),
    metrics: { listen: `127.0.0.1:${METRICS_PORT}` },
  };
}

/** Parses Prometheus text into name{labels} → value (every sample line; comments skipped). */
export function parsePrometheus(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    out[line.slice(0, space)] = Number(line.slice(space + 1));
  }
  return out;
}
