/** TCP reachability as a user sees it: open, closed (RST) or filtered (silence), probed from inside a namespace. @module */

import { agentPath } from '../agents/agent-path.js';
import type { Host } from './netns.js';

export type PortState = 'open' | 'closed' | 'filtered';

const PROBE_SCRIPT = agentPath('probe-port.mjs');

/** Connects from `from` to address:port once (from localPort if given); 'filtered' when nothing answers within timeoutMs. */
export async function probeTcp(
  from: Host,
  address: string,
  port: number,
  timeoutMs = 700,
  localPort?: number,
): Promise<PortState> {
  const { stdout } = await from.exec(process.execPath, [
    PROBE_SCRIPT,
    address,
    String(port),
    String(timeoutMs),
    ...(localPort === undefined ? [] : [String(localPort)]),
  ]);
  const state = String(stdout).trim();
  if (state !== 'open' && state !== 'closed' && state !== 'filtered') throw new Error(`probe said ${state}`);
  return state;
}

/** Polls until the port reaches `want` or the deadline passes; returns the last state seen. */
export async function waitForTcp(
  from: Host,
  address: string,
  port: number,
  want: PortState,
  deadlineMs = 5000,
): Promise<PortState> {
  const end = Date.now() + deadlineMs;
  let state: PortState;
  do {
    state = await probeTcp(from, address, port, 300);
    if (state === want) return state;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < end);
  return state;
}
