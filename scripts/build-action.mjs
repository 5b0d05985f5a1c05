/** Bundles the GitHub Action (action/src/action.ts, every dependency inlined) into action/dist, with one small entry file per step. @module */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ACTION_DIST = join(root, 'action', 'dist');
/** The steps action.yml runs (runs.main, runs.post); each entry file only calls the shared bundle. */
export const ACTION_ENTRIES = ['main', 'post'];
const BUNDLE = 'action';
const FILES = [BUNDLE, ...ACTION_ENTRIES].map((name) => `${name}.cjs`);

/**
 * A runner runs `node action/dist/main.cjs` from a checkout of this repository at the tag a workflow
 * names: no install step, so the bundle is committed and must hold everything. One bundle for both
 * steps, so the packages' code is committed once. Whitespace and syntax are minified, names are
 * kept: whoever pins the action can still read (after a formatter) what runs with their secret.
 */
export async function buildAction(outDir = ACTION_DIST) {
  await build({
    entryPoints: [{ in: join(root, 'action', 'src', `${BUNDLE}.ts`), out: BUNDLE }],
    outdir: outDir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    conditions: ['source'],
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: false,
    legalComments: 'eof',
    // Workspace paths in comments would make the bundle differ between checkouts.
    sourcemap: false,
    logLevel: 'warning',
  });
  for (const name of ACTION_ENTRIES) {
    writeFileSync(
      join(outDir, `${name}.cjs`),
      `'use strict';\nrequire('./${BUNDLE}.cjs').runStep('${name}');\n`,
    );
  }
  return FILES.map((file) => join(outDir, file));
}

/** True when action/dist is exactly what the sources build (CI fails a commit that forgot to rebuild). */
export async function actionDistIsCurrent() {
  const scratch = mkdtempSync(join(tmpdir(), 'spa-action-'));
  try {
    await buildAction(scratch);
    return FILES.every((file) => {
      try {
        return readFileSync(join(scratch, file), 'utf8') === readFileSync(join(ACTION_DIST, file), 'utf8');
      } catch {
        return false;
      }
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Usage: node scripts/build-action.mjs [--check]
  if (process.argv.includes('--check')) {
    if (!(await actionDistIsCurrent())) {
      console.error('action/dist is stale: run node scripts/build-action.mjs and commit the result');
      process.exit(1);
    }
  } else {
    for (const file of await buildAction()) console.log(file);
  }
}
