/** The agent's answer to `connect HOST PORT`: the plan `spa-client connect --host HOST --port PORT` would make, knocked with the key in memory. @module */
import type { Socket } from 'node:net';
import { accessForPort } from '../cli/commands/plan-options.js';
import { knockAndConnect } from '../knock/knock-connect.js';
import { resolvePlan } from '../knock/plan.js';
import { findHost } from '../profile/profile.js';
import type { AgentKeys } from './agent-keys.js';
import { REFUSALS } from './agent-request.js';
import { type Dial, DialRefused } from './agent-server.js';

export interface DialOptions {
  readonly keys: AgentKeys;
  readonly timeoutMs: number;
  readonly env: NodeJS.ProcessEnv;
  readonly info: (text: string) => void;
}

/** Only hosts of the profile, with their key loaded: a request can name nothing else (no server key, no key file). */
export function createDial({ keys, timeoutMs, env, info }: DialOptions): Dial {
  const { loaded } = keys;
  return async ({ host, port }): Promise<Socket> => {
    const entry = loaded.file ? findHost(loaded.file, host, loaded.location.path) : undefined;
    if (!entry) throw new DialRefused(REFUSALS.unknownHost, `not in the profile ${loaded.location.path}`);
    const plan = await resolvePlan({
      kind: 'open',
      host,
      access: [],
      env,
      loaded,
      defaultAccess: accessForPort(port),
    });
    const secretKey = keys.keyFor(plan.keySource);
    if (!secretKey) throw new DialRefused(REFUSALS.noKey, 'its key was not loaded when the agent started');
    for (const warning of plan.warnings) info(warning);
    return knockAndConnect(plan, { port, timeoutMs, env, secretKey, info });
  };
}
