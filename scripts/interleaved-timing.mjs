/** Timing commands against each other on a shared machine: raised priority, a scratch HOME with a client key, interleaved runs, medians. @module */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `measure(home)` at raised priority (children inherit it, so other load disturbs every
 * command less) with a fresh empty directory for HOME, removed afterwards.
 */
export function withScratchHome(prefix, measure) {
  try {
    setPriority(-15);
  } catch {
    // not root: measure at normal priority
  }
  const home = mkdtempSync(join(tmpdir(), prefix));
  try {
    return measure(home);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** A client key made by `keygen` (a [file, args] command without `--out`) and a random server key. */
export function knockKeys([file, args], home, env) {
  const keyFile = join(home, 'client.key');
  const made = spawnSync(file, [...args, 'keygen', '--out', keyFile], { env, encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`keygen failed: ${made.stderr}`);
  const spki = generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' });
  return { keyFile, serverKey: `spa-x25519:${spki.subarray(-32).toString('base64url')}` };
}

/**
 * Milliseconds per run of each named [file, args] command, after 5 runs each to warm the page
 * cache; interleaved (one run of each in turn), so drift on a shared machine hits every command alike.
 */
export function timeInterleaved(commands, runs, env) {
  const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  const run = ([file, args]) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${result.stderr}`);
    return ms;
  };
  for (const c of Object.values(commands)) for (let i = 0; i < 5; i++) run(c);
  for (let i = 0; i < runs; i++) for (const [name, c] of Object.entries(commands)) times[name].push(run(c));
  return times;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
