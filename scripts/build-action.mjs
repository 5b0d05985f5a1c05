/** Bundles the GitHub Action's entry points (action/src/main.ts, post.ts) into action/dist, with every dependency inlined. @module */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ACTION_DIST = join(root, 'action', 'dist');
export const ACTION_ENTRIES = ['main', 'post'];

/**
 * A runner runs `node action/dist/main.cjs` from a checkout of this repository at the tag a workflow
 * names: no install step, so the bundle is committed and must hold everything. Not minified: whoever
 * pins the action can read what runs with their secret.
 */
export async function buildAction(outDir = ACTION_DIST) {
  await build({
    entryPoints: ACTION_ENTRIES.map((name) => ({ in: join(root, 'action', 'src', `${name}.ts`), out: name })),
    outdir: outDir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    conditions: ['source'],
    minify: false,
    legalComments: 'eof',
    // Workspace paths in comments would make the bundle differ between checkouts.
    sourcemap: false,
    logLevel: 'warning',
  });
  return ACTION_ENTRIES.map((name) => join(outDir, `${name}.cjs`));
}

/** True when action/dist is exactly what the sources build (CI fails a commit that forgot to rebuild). */
export async function actionDistIsCurrent() {
  const scratch = mkdtempSync(join(tmpdir(), 'spa-action-'));
  try {
    await buildAction(scratch);
    return ACTION_ENTRIES.every((name) => {
      const file = `${name}.cjs`;
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
