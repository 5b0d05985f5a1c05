/** Bundles one CLI package (src/cli.ts and its dependencies) into a single ESM file, for a fast start-up. @module */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2];
if (!name) throw new Error('usage: bundle.mjs PACKAGE');
const dir = join(root, 'packages', name);
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const { version } = pkg;
// A package without CommonJS dependencies that require() built-ins opts out of the require shim
// ("bundle": {"requireShim": false}): importing node:module costs ~1.7 ms of start-up.
const requireShim = pkg.bundle?.requireShim !== false;

await build({
  entryPoints: [join(dir, 'src', 'cli.ts')],
  outdir: join(dir, 'dist'),
  bundle: true,
  // Lazily imported modules (profiles, zod, noble) go to their own chunks so that the
  // common path does not parse them.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  conditions: ['source'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  define: { __SPA_VERSION__: JSON.stringify(version) },
  // CommonJS dependencies (commander) call require() for node built-ins; ESM output needs a real one.
  banner: requireShim
    ? { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" }
    : {},
  logLevel: 'warning',
});

if (!requireShim) {
  const outdir = join(dir, 'dist');
  for (const file of readdirSync(outdir).filter((f) => f.endsWith('.js'))) {
    if (readFileSync(join(outdir, file), 'utf8').includes('Dynamic require of')) {
      throw new Error(`${name}: ${file} calls require(); remove "requireShim": false from package.json`);
    }
  }
}
