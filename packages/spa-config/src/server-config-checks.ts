/** The checks across server.json's fields: durations, windows, replay bounds, and conflicts between listen, services and clients. Pure. @module */
import { findClientConflicts } from './client-conflicts.js';
import { isLoopbackSocket } from './config-values.js';
import { findListenConflicts } from './listen-conflicts.js';
import { findOneShotConflicts } from './one-shot-conflicts.js';
import { findPortConflicts } from './port-conflicts.js';
import { findReplayProblems } from './replay-config-schema.js';
import type { ServerConfig } from './server-config-types.js';

export interface CrossFieldProblem {
  /** Path of the field the problem is reported at. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** The problems across fields of a config whose fields are each valid, in the order they are reported. */
export function findCrossFieldProblems(config: ServerConfig): CrossFieldProblem[] {
  const problems: CrossFieldProblem[] = [];
  if (config.defaultDuration > config.maxDuration) {
    problems.push({
      path: ['defaultDuration'],
      message: `${config.defaultDuration} is more than maxDuration (${config.maxDuration})`,
    });
  }
  if (config.metrics && !config.metrics.allowRemote && !isLoopbackSocket(config.metrics.listen)) {
    problems.push({
      path: ['metrics', 'listen'],
      message: `${config.metrics.listen} is not a loopback address; set "metrics.allowRemote": true to serve metrics beyond this host`,
    });
  }
  if (config.futureWindow > config.timestampWindow) {
    problems.push({
      path: ['futureWindow'],
      message: `${config.futureWindow} is more than timestampWindow (${config.timestampWindow})`,
    });
  }
  for (const problem of findReplayProblems(config.replay)) {
    problems.push({ path: ['replay', problem.field], message: problem.message });
  }
  if (config.replay.perClient >= config.replay.capacity) {
    problems.push({
      path: ['replay', 'perClient'],
      message: `${config.replay.perClient} is not less than replay.capacity (${config.replay.capacity}): one client could fill the store`,
    });
  }
  for (const conflict of findListenConflicts(config.listen, config.services)) {
    problems.push({ path: ['listen', conflict.index], message: conflict.message });
  }
  for (const conflict of findPortConflicts(config.services, config.firewall.backend)) {
    problems.push({ path: ['services', ...conflict.path], message: conflict.message });
  }
  const entries = config.clients.map((c, i) => ({ ...c, where: `clients[${i}]` }));
  for (const conflict of findClientConflicts(entries, Object.keys(config.services), config.maxDuration)) {
    problems.push({ path: ['clients', conflict.index, ...conflict.path], message: conflict.message });
  }
  for (const conflict of findOneShotConflicts(config.clients, config.services, config.firewall.backend)) {
    problems.push({ path: ['clients', conflict.index, 'oneShot'], message: conflict.message });
  }
  return problems;
}
