// @ts-check
/** Times whole-process runs of several commands, interleaved, from inside a namespace; prints JSON. @module */
import { spawnSync } from 'node:child_process';

/**
 * @typedef {{ name: string, file: string, args: string[], env?: Record<string, string> }} TimedCommand
 * @typedef {{ commands: TimedCommand[], runs: number, warmup: number }} ColdStartConfig
 */

/** @type {ColdStartConfig} */
const cfg = JSON.parse(process.argv[2] ?? '{}');
/** @type {Record<string, number[]>} */
const samples = Object.fromEntries(cfg.commands.map((c) => [c.name, []]));
/** @type {Record<string, number>} */
const failures = Object.fromEntries(cfg.commands.map((c) => [c.name, 0]));

// Interleaved (a, b, a, b, ...) so drift on a shared machine hits every command alike; the warm-up runs
// fill the page cache, so "cold" means a new process, not a cold disk.
for (let i = 0; i < cfg.warmup + cfg.runs; i++) {
  for (const c of cfg.commands) {
    const t0 = performance.now();
    const r = spawnSync(c.file, c.args, { env: { ...process.env, ...c.env }, stdio: 'ignore' });
    const ms = performance.now() - t0;
    if (i < cfg.warmup) continue;
    if (r.status === 0) samples[c.name]?.push(ms);
    else failures[c.name] = (failures[c.name] ?? 0) + 1;
  }
}
process.stdout.write(`${JSON.stringify({ samples, failures })}\n`);
