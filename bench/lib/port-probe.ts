/** TCP port state (open, closed, filtered) as seen from a lab host, through test/lib/probe-port.mjs. @module */
import { fileURLToPath } from 'node:url';
import type { Host } from '../../test/lib/netns.js';
import { sleep } from './clock.js';

// The tests' probe script; test/lib/probe.ts wraps it too, but does not type-check under strict settings yet.
const PROBE_SCRIPT = fileURLToPath(new URL('../../test/lib/probe-port.mjs', import.meta.url));

export type PortState = 'open' | 'closed' | 'filtered';

/** One connection attempt from `from`; 'filtered' when nothing answers within timeoutMs. */
export async function probePort(
  from: Host,
  address: string,
  port: number,
  timeoutMs = 700,
): Promise<PortState> {
  const { stdout } = await from.exec(process.execPath, [
    PROBE_SCRIPT,
    address,
    String(port),
    String(timeoutMs),
  ]);
  const state = String(stdout).trim();
  if (state !== 'open' && state !== 'closed' && state !== 'filtered') throw new Error(`probe said ${state}`);
  return state;
}

/** Probes until the port reaches `want` or `deadlineMs` passes; returns the last state seen. */
export async function waitForPort(
  from: Host,
  address: string,
  port: number,
  want: PortState,
  deadlineMs = 5000,
): Promise<PortState> {
  const end = Date.now() + deadlineMs;
  let state = await probePort(from, address, port, 300);
  while (state !== want && Date.now() < end) {
    await sleep(100);
    state = await probePort(from, address, port, 300);
  }
  return state;
}
