/** Figure 7, the speed a person feels: `open --wait` as the client reports it, and ssh's first byte through SPA next to plain ssh. @module */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { type Sshd, startSshd } from 'spa-test-kit/lab/sshd';
import { waitForOutput } from 'spa-test-kit/lab/wait-output';
import { onCleanup } from './cleanup.js';
import { lineTimeMs, openAfterMsOf, proxyCommandOf, SSH_BANNER_LINE, type TimedLine } from './felt-output.js';
import type { FeltResult, TimedSeries } from './figures.js';
import { type PhaseContext, withServer } from './phase-context.js';
import type { Command, RunningServer } from './server-under-test.js';
import { summarize } from './stats.js';

const RUNNER = fileURLToPath(new URL('./felt-runner.mjs', import.meta.url));
/** The sshd's port the server under test protects in this phase. */
const SSH_PORT = 2022;
/** The same sshd on a port no rule touches: plain ssh, the baseline. */
const PLAIN_SSH_PORT = 2023;
/** Discarded rounds first: page cache, known_hosts entries, the server's first grant. */
const WARMUP_ROUNDS = 2;
/** A run that has not got its line by then is a failure (and its processes are ended). */
const RUN_TIMEOUT_MS = 10_000;
/** The agent loads its profile and key and warms its crypto before it listens. */
const AGENT_START_TIMEOUT_MS = 15_000;

type RunName = 'plain' | 'open-wait' | 'spa-ssh' | 'agent-ssh';

interface FeltRun {
  readonly name: RunName;
  readonly source: string;
  readonly steps: Command[];
  readonly until?: string;
}

interface FeltOutcome {
  readonly name: RunName;
  readonly ok: boolean;
  readonly why?: string;
  readonly stdout: string;
  readonly lines: TimedLine[];
  readonly totalMs: number;
}

/** Figure 7: a real sshd in the server namespace, the server under test protecting one of its ports. */
export async function measureFelt(c: PhaseContext): Promise<void> {
  const { env, o } = c;
  c.log(`${c.sut.name}: felt figures, ${o.feltRuns} rounds (plain ssh, ssh through the server, open --wait)`);
  const dir = await mkdtemp(join(env.workDir, 'sshd-'));
  const sshd = await startSshd(env.server, dir, SSH_PORT, [PLAIN_SSH_PORT]);
  const stopSshd = onCleanup(() => sshd.stop());
  try {
    const sshContext: PhaseContext = { ...c, env: { ...env, protectedPort: SSH_PORT } };
    await withServer(sshContext, { accessTimeoutS: o.accessTimeoutS }, async (running) => {
      const agent = running.agentCommand ? await _startAgent(c, running.agentCommand, dir) : undefined;
      const rounds = WARMUP_ROUNDS + o.feltRuns;
      const perRound = 2 + (running.openWaitCommand ? 1 : 0) + (agent ? 1 : 0);
      const sources = await c.pool.take(rounds * perRound);
      const runs: FeltRun[] = [];
      for (let r = 0; r < rounds; r++) {
        const from = sources.slice(r * perRound, (r + 1) * perRound);
        runs.push(..._round(running, sshd, env.server.ipv4, from, agent?.proxyCommand));
      }
      let outcomes: FeltOutcome[];
      try {
        outcomes = await _runAll(c, runs);
      } finally {
        await agent?.stop();
      }
      const measured = outcomes.slice(WARMUP_ROUNDS * perRound);
      const felt: FeltResult = {
        runs: o.feltRuns,
        plainSsh: _series(measured, 'plain', (x) => lineTimeMs(x.lines, SSH_BANNER_LINE)),
        spaSsh: _series(measured, 'spa-ssh', (x) => lineTimeMs(x.lines, SSH_BANNER_LINE)),
        spaSshHow: running.connectCommand
          ? 'ssh -o ProxyCommand="spa-client connect …"'
          : 'fwknop … && ssh …',
        ...(agent
          ? { agentSsh: _series(measured, 'agent-ssh', (x) => lineTimeMs(x.lines, SSH_BANNER_LINE)) }
          : {}),
        ...(running.openWaitCommand
          ? {
              openWait: _series(measured, 'open-wait', (x) => openAfterMsOf(x.stdout)),
              openWaitProcess: _series(measured, 'open-wait', (x) => x.totalMs),
            }
          : {}),
      };
      c.figures.felt = felt;
      const p50 = (s: TimedSeries | undefined): string => s?.summary.p50.toFixed(1) ?? '—';
      c.log(
        `${c.sut.name}: open --wait p50 ${p50(felt.openWait)} ms; ssh banner p50 plain ${p50(felt.plainSsh)}, through SPA ${p50(felt.spaSsh)}, through the agent ${p50(felt.agentSsh)} ms`,
      );
    });
  } finally {
    await stopSshd();
  }
}

/** One round, interleaved so drift on a shared machine hits every command alike; one address each. */
function _round(
  running: RunningServer,
  sshd: Sshd,
  server: string,
  from: readonly string[],
  agentProxyCommand: string | undefined,
): FeltRun[] {
  const [plainFrom, sshFrom, ...more] = from as [string, string, ...string[]];
  const waitFrom = running.openWaitCommand ? more.shift() : undefined;
  const agentFrom = more.shift();
  const ssh = (port: number, home: Readonly<Record<string, string>> | undefined, extra: string[] = []) => ({
    file: 'ssh',
    // DEBUG1 makes ssh say when it has read the banner; `-o Port` wins over sshArgs' -p (first value kept).
    args: sshd.sshArgs(server, ['true'], ['-o', 'LogLevel=DEBUG1', '-o', `Port=${port}`, ...extra]),
    env: { ...home },
  });
  const runs: FeltRun[] = [];
  const knock = running.clientCommand(plainFrom, { address: running.knockAddress, port: running.knockPort });
  runs.push({
    name: 'plain',
    source: plainFrom,
    steps: [ssh(PLAIN_SSH_PORT, knock.env)],
    until: SSH_BANNER_LINE,
  });
  if (running.connectCommand) {
    const proxy = running.connectCommand(sshFrom);
    const proxyCommand = `ProxyCommand=${proxyCommandOf(proxy.file, proxy.args)}`;
    const step = ssh(SSH_PORT, proxy.env, ['-o', proxyCommand]);
    runs.push({ name: 'spa-ssh', source: sshFrom, steps: [step], until: SSH_BANNER_LINE });
  } else {
    // As fwknop's users run it: `fwknop … && ssh …`, ssh's first SYN racing the grant.
    const first = running.clientCommand(sshFrom, { address: running.knockAddress, port: running.knockPort });
    const steps = [first, ssh(SSH_PORT, first.env)];
    runs.push({ name: 'spa-ssh', source: sshFrom, steps, until: SSH_BANNER_LINE });
  }
  if (agentProxyCommand !== undefined && agentFrom !== undefined) {
    // The ProxyCommand as `spa-client agent --print-ssh-config` printed it; HOME as for the others.
    const step = ssh(SSH_PORT, knock.env, ['-o', `ProxyCommand=${agentProxyCommand}`]);
    runs.push({ name: 'agent-ssh', source: agentFrom, steps: [step], until: SSH_BANNER_LINE });
  }
  if (running.openWaitCommand && waitFrom !== undefined) {
    runs.push({ name: 'open-wait', source: waitFrom, steps: [running.openWaitCommand(waitFrom)] });
  }
  return runs;
}

/**
 * Starts `spa-client agent` in the client namespace, as a user has it running before typing ssh, and
 * reads the ProxyCommand it prints for ssh_config: the figure times what a user of the agent runs.
 */
async function _startAgent(
  c: PhaseContext,
  command: NonNullable<RunningServer['agentCommand']>,
  workDir: string,
): Promise<{ proxyCommand: string; stop: () => Promise<void> }> {
  const socketPath = join(await mkdtemp(join(workDir, 'agent-')), 'agent.sock');
  const start = await command(socketPath);
  const agent = c.env.client.exec(start.file, start.args, { env: start.env, reject: false });
  const refusals: string[] = [];
  agent.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.includes('refused') && refusals.length < 5) refusals.push(line);
    }
  });
  const stop = onCleanup(async () => {
    agent.kill('SIGTERM');
    await agent;
    // The agent writes nothing to a stream it refuses: its log is where a failed run says why.
    for (const line of refusals) c.log(line);
  });
  await waitForOutput(agent, 'stderr', 'listening on', AGENT_START_TIMEOUT_MS);
  const printed = await execa(start.file, [...start.args, '--print-ssh-config', c.env.server.ipv4], {
    env: start.env,
  });
  const line = String(printed.stdout)
    .split('\n')
    .find((l) => l.trim().startsWith('ProxyCommand '));
  if (!line)
    throw new Error(`spa-client agent --print-ssh-config printed no ProxyCommand: ${printed.stdout}`);
  return { proxyCommand: line.trim().slice('ProxyCommand '.length), stop };
}

/** Runs everything in one runner inside the client namespace: an `ip netns exec` per run would be timed too. */
async function _runAll(c: PhaseContext, runs: readonly FeltRun[]): Promise<FeltOutcome[]> {
  const config = { server: c.env.server.ipv4, runs, timeoutMs: RUN_TIMEOUT_MS };
  const { stdout } = await c.env.client.exec(process.execPath, [RUNNER, JSON.stringify(config)]);
  return JSON.parse(String(stdout)) as FeltOutcome[];
}

function _series(
  outcomes: readonly FeltOutcome[],
  name: RunName,
  value: (o: FeltOutcome) => number | undefined,
): TimedSeries {
  const samples: number[] = [];
  const why: string[] = [];
  for (const o of outcomes.filter((x) => x.name === name)) {
    const v = o.ok ? value(o) : undefined;
    if (v !== undefined) samples.push(v);
    else if (why.length < 5) why.push(o.why ?? `no figure in: ${(o.stdout || o.lines.at(-1)?.text) ?? ''}`);
  }
  const failures = outcomes.filter((x) => x.name === name).length - samples.length;
  return { samples, summary: summarize(samples), failures, why };
}
