/** The report's rows for figure 7 (the speed a person feels): `open --wait`, ssh's first byte with and without SPA. @module */
import type { FeltResult } from './figures.js';
import type { Row } from './report-values.js';

export const FELT_ROWS: readonly Row[] = [
  {
    label: '7. `spa-client open --wait`: knock sent → TCP connected, p50 (ms)',
    get: (f) => f.felt?.openWait?.summary.p50,
    digits: 1,
  },
  {
    label: '7. same, p95 (ms)',
    get: (f) => f.felt?.openWait?.summary.p95,
    digits: 1,
  },
  {
    label: '7. same, whole command, p50 (ms)',
    get: (f) => f.felt?.openWaitProcess?.summary.p50,
    digits: 1,
  },
  { label: '7. same, runs that never opened', get: (f) => f.felt?.openWait?.failures, digits: 0 },
  {
    label: '7. plain ssh (port not protected): command → sshd banner, p50 (ms)',
    get: (f) => f.felt?.plainSsh.summary.p50,
    digits: 1,
  },
  {
    label:
      '7. ssh through SPA (spa-server: ProxyCommand connect; fwknopd: `fwknop && ssh`): command → banner, p50 (ms)',
    get: (f) => f.felt?.spaSsh.summary.p50,
    digits: 1,
  },
  { label: '7. same, p95 (ms)', get: (f) => f.felt?.spaSsh.summary.p95, digits: 1 },
  {
    label: '7. ssh through SPA minus plain ssh, p50 (ms)',
    get: (f) => (f.felt ? f.felt.spaSsh.summary.p50 - f.felt.plainSsh.summary.p50 : undefined),
    digits: 1,
  },
  {
    label:
      '7. ssh through `spa-client agent` (its printed ProxyCommand: nc to the running agent): command → banner, p50 (ms)',
    get: (f) => f.felt?.agentSsh?.summary.p50,
    digits: 1,
  },
  { label: '7. same, p95 (ms)', get: (f) => f.felt?.agentSsh?.summary.p95, digits: 1 },
  {
    label: '7. ssh through the agent minus plain ssh, p50 (ms)',
    get: (f) => (f.felt?.agentSsh ? f.felt.agentSsh.summary.p50 - f.felt.plainSsh.summary.p50 : undefined),
    digits: 1,
  },
  { label: '7. ssh runs that got no banner (all ways)', get: (f) => _failures(f.felt), digits: 0 },
];

function _failures(felt: FeltResult | undefined) {
  return felt && felt.plainSsh.failures + felt.spaSsh.failures + (felt.agentSsh?.failures ?? 0);
}
