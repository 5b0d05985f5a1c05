/** What every demo step shares: the lab hosts, the temp dir, the narrator, the teardown, and running a shown command. @module */
import { fileURLToPath } from 'node:url';
import type { Options } from 'execa';
import type { Host, Lab } from 'spa-test-kit/lab/netns';
import type { Narrator } from './narrator.js';
import type { Teardown } from './teardown.js';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
/** The bundled CLIs, as a user runs them (scripts/setup.sh builds them). */
export const SERVER_BIN: string = root('node_modules/.bin/spa-server');
export const CLIENT_BIN: string = root('node_modules/.bin/spa-client');
export const SEND_DATAGRAM: string = root('packages/test-kit/src/agents/send-datagram.mjs');

export const SSH_PORT = 2222;
export const KNOCK_PORT = 62201;
export const GRANT_SECONDS = 5;
export const TABLE = 'spa_demo';

export interface DemoContext {
  readonly say: Narrator;
  readonly teardown: Teardown;
  /** The temp dir ($DEMO in the output): keys, configs, state. */
  readonly dir: string;
  readonly lab: Lab;
  readonly server: Host;
  readonly client: Host;
  readonly outsider: Host;
}

export interface ShownResult {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/** Prints `host$ display...` dimmed, then runs `file args` in that host's namespace (never through a shell). */
export async function shown(
  ctx: DemoContext,
  host: Host,
  display: readonly string[],
  file: string,
  args: readonly string[],
  options: Options = {},
): Promise<ShownResult> {
  ctx.say.command(host.name, display);
  const result = await host.exec(file, args, { ...options, reject: false });
  return {
    exitCode: result.exitCode,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}
