/** The replay record a fleet shares through Redis: one key per accepted (client, nonce), set only when absent, in one script with the fleet's floor. @module */
import type { ResolvedRedis } from '../config/resolved-config.js';
import type { DaemonLog } from '../observability/log.js';

/** What Redis said about one knock; `unreachable` when it could not be asked within the timeout. */
export type SharedVerdict = 'ok' | 'replay' | 'stale' | 'unreachable';

/** Commands waiting for Redis at most: past it a knock is refused at once, memory does not grow. */
export const REDIS_QUEUE_MAX = 4096;
/** Reconnect attempts back off up to this (ms): a restarted Redis is found again within it. */
export const RECONNECT_MAX_MS = 1000;

/*
 * KEYS[1] the fleet's floor, KEYS[2] the knock's entry; ARGV[1] its timestamp, ARGV[2] how long to
 * hold it (ms), ARGV[3] this server's clock. The floor exists from the first call on; a Redis that
 * lost its data (restarted without persistence, flushed) has none, and whatever was accepted before
 * is unknown: the first server to ask sets it to its clock, so nothing dated before is accepted, as
 * the file store does with no state file. One script: no other call runs between the two checks.
 */
const RESERVE = `
local floor = redis.call('GET', KEYS[1])
if not floor then
  redis.call('SET', KEYS[1], ARGV[3])
  floor = ARGV[3]
end
if tonumber(ARGV[1]) <= tonumber(floor) then return 'stale' end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then return 'ok' end
return 'replay'
`;

interface Client {
  connect(): Promise<unknown>;
  sendCommand<T>(args: readonly string[], options?: { abortSignal?: AbortSignal }): Promise<T>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  readonly isReady: boolean;
  close(): Promise<unknown>;
  destroy(): void;
}

export class RedisRecord {
  readonly #client: Client;
  readonly #config: ResolvedRedis;
  readonly #log: DaemonLog;
  readonly #clock: () => number;
  /** An outage was logged and its end was not yet. */
  #down = false;
  #closed = false;

  private constructor(client: Client, config: ResolvedRedis, log: DaemonLog, clock: () => number) {
    this.#client = client;
    this.#config = config;
    this.#log = log;
    this.#clock = clock;
  }

  /**
   * Starts connecting and returns at once: a Redis that is down at start is an outage like any
   * other (knocks refused, one log line), and the client keeps reconnecting by itself.
   */
  static async open(config: ResolvedRedis, log: DaemonLog, clock: () => number): Promise<RedisRecord> {
    // Loaded only by servers configured for Redis: the file store's start pays nothing for it.
    const loaded = await import('@redis/client');
    // A CommonJS package: Node gives its exports by name, the bundle's own chunk as `default` only.
    const { createClient } = (loaded as unknown as { default?: typeof loaded }).default ?? loaded;
    const reconnectStrategy = (retries: number): number =>
      Math.min(50 * 2 ** Math.min(retries, 5), RECONNECT_MAX_MS);
    const socket =
      config.endpoint.kind === 'unix'
        ? { path: config.endpoint.path, connectTimeout: config.timeoutMs * 4, reconnectStrategy }
        : config.endpoint.tls
          ? { tls: true as const, ca: config.ca, connectTimeout: config.timeoutMs * 4, reconnectStrategy }
          : { connectTimeout: config.timeoutMs * 4, reconnectStrategy };
    const client = createClient({
      ...(config.endpoint.kind === 'tcp' ? { url: config.endpoint.url } : {}),
      socket,
      username: config.username,
      password: config.password,
      // Fail closed at once while disconnected, rather than queue knocks for a Redis that may not return.
      disableOfflineQueue: true,
      commandsQueueMaxLength: REDIS_QUEUE_MAX,
    }) as unknown as Client;
    const record = new RedisRecord(client, config, log, clock);
    client.on('error', (error) => record.#outage(error));
    client.on('ready', () => record.#ready());
    client.connect().catch((error: unknown) => record.#outage(error));
    return record;
  }

  /** Whether the connection is up now (a knock asks anyway; this is for logs and tests). */
  get ready(): boolean {
    return this.#client.isReady;
  }

  /**
   * Sets the knock's key unless some server already did. Never rejects: a Redis that is down, slow
   * (past the timeout) or refusing (out of memory, ACL) is `unreachable`, logged once per outage.
   */
  async reserve(
    keyIdHex: string,
    nonceHex: string,
    timestampMs: number,
    holdMs: number,
  ): Promise<SharedVerdict> {
    if (this.#closed || !this.#client.isReady) return 'unreachable';
    const prefix = this.#config.keyPrefix;
    const args = [
      'EVAL',
      RESERVE,
      '2',
      `${prefix}floor`,
      `${prefix}n:${keyIdHex}${nonceHex}`,
      String(timestampMs),
      String(Math.max(1, Math.ceil(holdMs))),
      // Just below now: a knock stamped this very millisecond is still accepted.
      String(this.#clock() - 1),
    ];
    try {
      const answer = await this.#send<string>(args);
      this.#reachable();
      return answer === 'ok' || answer === 'replay' || answer === 'stale' ? answer : 'unreachable';
    } catch (error) {
      this.#outage(error);
      return 'unreachable';
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#client.close();
    } catch {
      this.#client.destroy();
    }
  }

  #ready(): void {
    // The floor exists before the first knock, so the first knock of a new fleet is not `stale`.
    this.#send(['SET', `${this.#config.keyPrefix}floor`, String(this.#clock() - 1), 'NX']).then(
      () => this.#reachable(),
      (error: unknown) => this.#outage(error),
    );
  }

  /**
   * One command, given up after the timeout whatever the client does: a Redis that holds the
   * connection open but answers nothing (stopped, swapping) must not hold a knock longer. What it
   * still owes stays in the client's queue, which is bounded (REDIS_QUEUE_MAX).
   */
  #send<T>(args: readonly string[]): Promise<T> {
    const ms = this.#config.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
    });
    const answer = this.#client.sendCommand<T>(args, { abortSignal: AbortSignal.timeout(ms) });
    return Promise.race([answer, late]).finally(() => clearTimeout(timer));
  }

  #outage(error: unknown): void {
    if (this.#down || this.#closed) return;
    this.#down = true;
    this.#log.event('error', 'replay.unreachable', {
      store: 'redis',
      error: error instanceof Error ? error.message : String(error),
      message: `Redis cannot be asked: knocks are ${this.#config.whenUnreachable === 'refuse' ? 'refused' : 'decided by this server alone'} until it answers again`,
    });
  }

  #reachable(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#log.event('info', 'replay.reachable', { store: 'redis', message: 'Redis answers again' });
  }
}
