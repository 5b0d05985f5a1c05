// @ts-check
/** Times what a person runs (a knock, then ssh) from inside the client namespace, run after run; prints JSON. @module */
import { execFileSync, spawn } from 'node:child_process';

/**
 * @typedef {{ file: string, args: string[], env?: Record<string, string> }} Step
 * @typedef {{ name: string, source: string, steps: Step[], until?: string }} FeltRun
 * @typedef {{ server: string, runs: FeltRun[], timeoutMs: number }} FeltConfig
 * @typedef {{ t: number, text: string }} TimedLine
 * @typedef {{ name: string, source: string, ok: boolean, why?: string, stdout: string, lines: TimedLine[], totalMs: number }} FeltOutcome
 */

/** @type {FeltConfig} */
const cfg = JSON.parse(process.argv[2] ?? '{}');

/**
 * Runs one step; resolves when it exits, or as soon as a line containing `until` appears (then the
 * whole process group is ended: ssh and the ProxyCommand it started). Line times are ms after t0.
 * @param {Step} step @param {number} t0 @param {string | undefined} until @param {TimedLine[]} lines
 * @returns {Promise<{ code: number | null, stdout: string, matched: boolean }>}
 */
function runStep(step, t0, until, lines) {
  return new Promise((resolve) => {
    const child = spawn(step.file, step.args, {
      env: { ...process.env, ...step.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let matched = false;
    let partial = '';
    const end = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(end, cfg.timeoutMs);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    // ssh writes its debug lines to stderr unbuffered, one write each: arrival time is when it read.
    child.stderr.on('data', (chunk) => {
      const t = performance.now() - t0;
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) {
        lines.push({ t, text });
        if (!matched && until !== undefined && text.includes(until)) {
          matched = true;
          end();
        }
      }
    });
    child.on('error', () => resolve({ code: -1, stdout, matched }));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, matched });
    });
  });
}

/** @type {FeltOutcome[]} */
const outcomes = [];
for (const run of cfg.runs) {
  // A fresh source address per run, so every knock is a new grant: new connections pick it as theirs.
  execFileSync('ip', ['route', 'replace', `${cfg.server}/32`, 'dev', 'eth0', 'src', run.source]);
  /** @type {TimedLine[]} */
  const lines = [];
  let stdout = '';
  let why;
  const t0 = performance.now();
  for (const [i, step] of run.steps.entries()) {
    const last = i === run.steps.length - 1;
    const r = await runStep(step, t0, last ? run.until : undefined, lines);
    stdout = r.stdout;
    // `a && b`: a step that fails ends the run, as the shell would.
    if (!last && r.code !== 0) why = `step ${i + 1} exited with ${r.code}`;
    else if (last && run.until !== undefined && !r.matched) why = `no "${run.until}" line`;
    else if (last && run.until === undefined && r.code !== 0) why = `exited with ${r.code}`;
    if (why !== undefined) break;
  }
  const totalMs = performance.now() - t0;
  outcomes.push({ name: run.name, source: run.source, ok: why === undefined, why, stdout, lines, totalMs });
}
execFileSync('ip', ['route', 'del', `${cfg.server}/32`]);
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
