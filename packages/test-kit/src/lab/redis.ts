/** A real redis-server on a Unix socket in a temp dir, with one ACL user and password, for the shared replay store's tests. @module */

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { waitForOutput } from './wait-output.js';

export interface RedisServer {
  /** `unix:///…/redis.sock`: reachable from every network namespace of the machine, no port. */
  readonly url: string;
  readonly socket: string;
  readonly username: string;
  /** A file holding the password, mode 0600. */
  readonly passwordFile: string;
  /** Runs `redis-cli` as the ACL user with these arguments; its stdout. */
  cli(args: readonly string[]): Promise<string>;
  /** SIGSTOP: connected, but answering nothing, as a Redis stuck or far away. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** SIGTERM and wait: the data goes with it (no persistence). */
  stop(): Promise<void>;
  /** A new redis-server on the same socket, empty, as after a crash of one without persistence. */
  start(): Promise<void>;
}

export const REDIS_USER = 'spa';

/**
 * No TCP port, no snapshot, no append-only file; the default user is off and the one ACL user may
 * touch only keys starting with `spa:`, so a server that built another key name would be refused.
 */
export async function startRedis(dir: string): Promise<RedisServer> {
  const socket = join(dir, 'redis.sock');
  const password = `pw-${process.pid}-${Date.now()}`;
  const passwordFile = join(dir, 'redis.password');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  let child: ResultPromise | undefined;
  const start = async (): Promise<void> => {
    const args = [
      ...['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700'],
      ...['--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
      ...['--user', 'default', 'off', '--user', REDIS_USER, 'on', `>${password}`, '~spa:*', '+@all'],
    ];
    child = execa('redis-server', args, { reject: false, buffer: false, stdin: 'ignore' });
    await waitForOutput(child, 'stdout', 'ready to accept connections', 10_000);
  };
  await start();
  return {
    url: `unix://${socket}`,
    socket,
    username: REDIS_USER,
    passwordFile,
    async cli(cliArgs) {
      const auth = ['-s', socket, '--user', REDIS_USER, '--pass', password, '--no-auth-warning'];
      return (await execa('redis-cli', [...auth, ...cliArgs])).stdout;
    },
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async stop() {
      const running = child;
      child = undefined;
      if (!running) return;
      running.kill('SIGCONT');
      running.kill('SIGTERM');
      await running;
    },
    start,
  };
}
