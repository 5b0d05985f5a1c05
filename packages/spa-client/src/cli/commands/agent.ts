/** `spa-client agent`: a resident process with the keys loaded, knocking and connecting for ssh's ProxyCommand over a Unix socket. @module */

import { unlinkSync } from 'node:fs';
import { resolve as absolutePath } from 'node:path';
import { createDial } from '../../agent/agent-dial.js';
import { type AgentKeys, loadAgentKeys } from '../../agent/agent-keys.js';
import { DEFAULT_LIMITS, listenAgent } from '../../agent/agent-server.js';
import { limitLog } from '../../agent/log-limit.js';
import { servablePortSockets } from '../../agent/port-sockets.js';
import { clearStaleSocket, defaultSocketPath, prepareSocketDirectory } from '../../agent/socket-path.js';
import { sshConfigSnippet } from '../../agent/ssh-config.js';
import { prepareKnock } from '../../knock/knock-session.js';
import { resolvePlan } from '../../knock/plan.js';
import { warmTcpPath } from '../../knock/warm-tcp.js';
import { expandHome } from '../../profile/profile.js';
import { flag, parseCommandArgs, stringOption } from '../args.js';
import { usageError } from '../errors.js';
import { timeoutOptionMs } from './plan-options.js';

const AGENT_OPTIONS = {
  socket: { type: 'string' },
  timeout: { type: 'string' },
  'print-ssh-config': { type: 'string' },
} as const;

/** A profile host name as it may be written into the printed ProxyCommand (ssh-config.ts): no wildcards, nothing a shell reads. */
const HOST_NAME = /^[A-Za-z0-9._:-]{1,253}$/;

export async function runAgent(argv: readonly string[]): Promise<number> {
  const args = parseCommandArgs('agent', argv, AGENT_OPTIONS);
  if (flag(args, 'help')) {
    const { HELP } = await import('../help.js');
    process.stdout.write(`${HELP.agent}\n`);
    return 0;
  }
  if (flag(args, 'json')) throw usageError('agent: --json is not available');
  if (args.positionals.length > 0)
    throw usageError(`agent: unexpected argument "${args.positionals[0]!.slice(0, 40)}"`);
  const socketOption = stringOption(args, 'socket');
  // Absolute: the printed ProxyCommand runs from whatever directory ssh is started in.
  const socketPath = absolutePath(
    socketOption === undefined ? defaultSocketPath(process.env) : expandHome(socketOption, process.env),
  );
  const pattern = stringOption(args, 'print-ssh-config');
  if (pattern !== undefined) {
    if (!HOST_NAME.test(pattern))
      throw usageError(
        `agent: --print-ssh-config: "${pattern.slice(0, 40)}" is not a profile host name (letters, digits, . _ : - only; no wildcards)`,
      );
    process.stdout.write(sshConfigSnippet(pattern, socketPath));
    return 0;
  }
  const timeoutMs = timeoutOptionMs(stringOption(args, 'timeout'));
  const verbose = flag(args, 'verbose');
  const log = limitLog((line) => process.stderr.write(`spa-client agent: ${line}\n`));
  const info = (text: string): void => {
    if (verbose) log(text);
  };

  prepareSocketDirectory(socketPath);
  const keys = await loadAgentKeys(stringOption(args, 'config'), process.env, log);
  await _warm(keys);
  const hosts = keys.hosts.map((name) => ({ name, entry: keys.loaded.file?.hosts[name] }));
  const ports = servablePortSockets(socketPath, hosts, log);
  // The line-protocol socket first: one that answers means another agent runs, and its port sockets
  // are then left alone too. Otherwise the port sockets are an earlier agent's, removed unprobed.
  await clearStaleSocket(socketPath);
  for (const { path } of ports) await clearStaleSocket(path, { probe: false });
  const dial = createDial({ keys, timeoutMs, env: process.env, info });
  const agent = await listenAgent(socketPath, dial, log, DEFAULT_LIMITS, ports);
  const served = hosts.map(({ name }) => {
    const list = new Set(ports.filter((p) => p.request.host === name).map((p) => p.request.port));
    return `${name} (port ${[...list].join(', ')})`;
  });
  log(`listening on ${socketPath} for ${served.join(', ')}`);

  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await Promise.race([agent.close(), new Promise((r) => setTimeout(r, 100).unref())]);
  for (const path of [socketPath, ...ports.map((p) => p.path)]) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  }
  keys.wipe();
  const counts = Object.entries(agent.counters()).map(([k, v]) => `${k} ${v}`);
  log(`stopped; ${counts.join(', ')}`);
  // Spliced connections end with the process, as ssh-agent's do.
  process.exit(0);
}

/**
 * Seals (never sends) one knock for the first host, and runs the TCP path once over loopback: the
 * first real knock and connection find the crypto and the socket code compiled.
 */
async function _warm(keys: AgentKeys): Promise<void> {
  try {
    const plan = await resolvePlan({
      kind: 'open',
      host: keys.hosts[0]!,
      access: [],
      env: process.env,
      loaded: keys.loaded,
      defaultAccess: () => [{ type: 'tcp', port: 22 }],
    });
    const secretKey = keys.keyFor(plan.keySource);
    if (!secretKey) return;
    const session = await prepareKnock(plan, process.env, { query: false, secretKey });
    for (let i = 0; i < 20; i++) session.preview();
    await warmTcpPath(session.targets[0]?.family ?? 4);
  } catch {
    // A host that does not resolve now may later; warming is only a head start.
  }
}
