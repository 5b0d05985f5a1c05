/** The agreement worker's text built from the sources the way scripts/bundle.mjs builds it, for tests that run unbundled. @module */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'config', 'agreement-worker.ts');

let built: Promise<string> | undefined;

/** One CommonJS text, node built-ins external, for new Worker(text, { eval: true }). */
export function agreementWorkerSource(): Promise<string> {
  built ??= build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    conditions: ['source'],
    logLevel: 'silent',
  }).then((out) => out.outputFiles[0]!.text);
  return built;
}
