/** Client cold start: whole-process wall time of the real client CLI next to `node -e 0`, median of many runs. @module */
import { fileURLToPath } from 'node:url';
import type { Host } from 'spa-test-kit/lab/netns';
import type { Command } from './server-under-test.js';
import { type Summary, summarize } from './stats.js';

const RUNNER = fileURLToPath(new URL('./cold-start-runner.mjs', import.meta.url));

export interface ColdStartResult {
  readonly summaries: Record<string, Summary>;
  readonly failures: Record<string, number>;
}

/**
 * Runs each named command `runs` times (after `warmup` runs) inside `host`, timed by one runner process
 * there: an `ip netns exec` per run would add its own start-up to every sample.
 */
export async function measureColdStart(
  host: Host,
  commands: Readonly<Record<string, Command>>,
  runs: number,
  warmup = 3,
): Promise<ColdStartResult> {
  const list = Object.entries(commands).map(([name, c]) => ({
    name,
    file: c.file,
    args: c.args,
    env: c.env,
  }));
  const { stdout } = await host.exec(process.execPath, [
    RUNNER,
    JSON.stringify({ commands: list, runs, warmup }),
  ]);
  const parsed = JSON.parse(String(stdout)) as {
    samples: Record<string, number[]>;
    failures: Record<string, number>;
  };
  const summaries = Object.fromEntries(Object.entries(parsed.samples).map(([k, v]) => [k, summarize(v)]));
  return { summaries, failures: parsed.failures };
}
