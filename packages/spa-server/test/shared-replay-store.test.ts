/** The replay store shared through a real redis-server: one grant per knock across servers, fail closed, back by itself. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRedisUrl } from 'spa-config/server-config';
import { type RedisServer, startRedis } from 'spa-test-kit/lab/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedRedis } from '../src/config/resolved-config.js';
import { createDaemonLog, type LogEntry } from '../src/observability/log.js';
import { openReplay } from '../src/replay/open-replay.js';
import type { ReplayGuard } from '../src/replay/replay-guard.js';

const WINDOW = 60_000;
const PREFIX = 'spa:unit:';
const KEY = new Uint8Array(16).fill(0xaa);
const nonce = (n: number) => new Uint8Array(16).fill(n);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

let dir: string;
let redis: RedisServer;
const opened: ReplayGuard[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spa-shared-replay-'));
  redis = await startRedis(dir);
});
afterAll(async () => {
  for (const store of opened) await store.close().catch(() => {});
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** One server: its own state dir, the shared Redis, its own log lines. */
async function server(name: string, options: Partial<ResolvedRedis> = {}) {
  const lines: LogEntry[] = [];
  const log = createDaemonLog({
    sink: { write: (e) => lines.push(e) },
    clock: Date.now,
    level: 'debug',
    refusalsPerSecond: 100,
  });
  const redisConfig: ResolvedRedis = {
    endpoint: parseRedisUrl(redis.url)!,
    username: redis.username,
    password: (await readFile(redis.passwordFile, 'utf8')).trim(),
    ca: undefined,
    keyPrefix: PREFIX,
    timeoutMs: 200,
    whenUnreachable: 'refuse',
    ...options,
  };
  const { store, kind } = await openReplay(
    { stateDir: join(dir, name), replay: { capacity: 1000, perClient: 100, redis: redisConfig } },
    { windowMs: WINDOW, futureWindowMs: 5000 },
    Date.now,
    log,
  );
  opened.push(store);
  expect(kind).toBe('redis');
  await until(() => (store as unknown as { connected: boolean }).connected);
  /** reserve() then commit(), as the pipeline does. */
  const knock = async (n: Uint8Array, ts = Date.now()) => {
    const local = store.reserve(KEY, n, ts);
    return local ?? (await store.commit(KEY, n, ts));
  };
  return { store, knock, events: (event: string) => lines.filter((l) => l.event === event) };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('replay store shared through Redis', { timeout: 30_000 }, () => {
  it('grants a knock on one server only: the other finds it a replay', async () => {
    const a = await server('a');
    const b = await server('b');
    const n = nonce(1);
    expect(await a.knock(n)).toBeUndefined();
    expect(await b.knock(n)).toBe('replay');
    expect(await a.knock(n)).toBe('replay'); // its own memory says so before Redis is asked
    // Both at once: exactly one wins.
    const m = nonce(2);
    const both = await Promise.all([a.knock(m), b.knock(m)]);
    expect(both.filter((v) => v === undefined)).toHaveLength(1);
    expect(both.filter((v) => v === 'replay')).toHaveLength(1);
  });

  it('names keys by prefix and hex (client, nonce), held until the tag epoch leaves the window plus a window of skew', async () => {
    const a = await server('keys');
    const n = nonce(3);
    expect(await a.knock(n)).toBeUndefined();
    const key = `${PREFIX}n:${hex(KEY)}${hex(n)}`;
    expect(await redis.cli(['EXISTS', key])).toBe('1');
    const ttl = Number(await redis.cli(['PTTL', key]));
    // At least two windows, at most two windows and one epoch (60 s).
    expect(ttl).toBeGreaterThan(2 * WINDOW - 1000);
    expect(ttl).toBeLessThanOrEqual(2 * WINDOW + 60_000);
  });

  it('refuses every knock while Redis is stopped or stuck, logs the outage once, and resumes by itself', async () => {
    const a = await server('outage');
    const b = await server('outage-b');
    redis.pause();
    const started = Date.now();
    expect(await a.knock(nonce(10))).toBe('replay-store-unreachable');
    expect(Date.now() - started).toBeLessThan(1500); // bounded by the 200 ms timeout, not by Redis
    await redis.stop();
    for (let i = 11; i < 15; i++) expect(await a.knock(nonce(i))).toBe('replay-store-unreachable');
    expect(a.events('replay.unreachable')).toHaveLength(1);
    // The nonce refused while Redis was down is spent here; nothing was granted for it anywhere.
    expect(await a.knock(nonce(10))).toBe('replay');

    const beforeRestart = Date.now() - 1;
    await redis.start();
    // Both reconnect by themselves, each on its own back-off.
    for (const gw of [a, b]) {
      await until(() => (gw.store as unknown as { connected: boolean }).connected, 10_000);
    }
    await until(() => a.events('replay.reachable').length === 1);
    // The new Redis is empty: what the fleet accepted before it is unknown, so older knocks are stale.
    expect(await b.knock(nonce(20), beforeRestart - 5000)).toBe('stale');
    expect(await a.knock(nonce(21))).toBeUndefined();
    expect(await b.knock(nonce(21))).toBe('replay');
    expect(a.events('replay.unreachable')).toHaveLength(1);
  });

  it('with whenUnreachable "local", this server alone decides while Redis is down', async () => {
    const a = await server('local', { whenUnreachable: 'local' });
    await redis.stop();
    try {
      expect(await a.knock(nonce(30))).toBeUndefined();
      expect(await a.knock(nonce(30))).toBe('replay');
    } finally {
      await redis.start();
    }
  });
});
