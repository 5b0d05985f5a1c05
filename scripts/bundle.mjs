/** Bundles one CLI package (src/cli.ts and its dependencies) for a fast start-up: ESM chunks, or one CommonJS file. @module */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name, flag, seaOut] = process.argv.slice(2);
if (!name || (flag !== undefined && (flag !== '--sea' || !seaOut)))
  throw new Error('usage: bundle.mjs PACKAGE [--sea OUTFILE]');
// --sea OUTFILE: one CommonJS file for a single executable application (scripts/build-sea.sh). A SEA's
// main script can require() only built-ins, so everything is inside; it runs on the Node 24 it is
// injected into, and has no files beside it (no source map, no code-cache step).
const sea = flag === '--sea';
const dir = join(root, 'packages', name);
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const { version } = pkg;

// What the build is made of: every package's sources and the locked dependencies. The version stays
// the same across commits; state a daemon keeps across restarts of one build (the clients-dir cache
// holds validated clients) is tied to this instead, so that changed validation is never skipped.
function codeId() {
  const hash = createHash('sha256');
  const packages = join(root, 'packages');
  const files = readdirSync(packages, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !/\.test\.ts$/.test(e.name))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    // Each package's own src/, not a path that merely contains one (a checkout under ~/src).
    .filter((f) => /^[^/]+\/src\//.test(f.slice(packages.length + 1)))
    .sort();
  for (const file of [...files, join(root, 'pnpm-lock.yaml')]) {
    hash
      .update(`${file.slice(root.length)}\0`)
      .update(readFileSync(file))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

// "bundle": {"format": "cjs"} in a package.json: one CommonJS file, dist/cli.cjs. For a CLI whose
// whole run is a few milliseconds of work (spa-client), Node 20's ESM loader costs more than it
// saves: its own start-up, an asynchronous read per chunk, and a facade per imported built-in. For
// the daemon, one file is what a V8 code cache can cover (vm.Script compiles one script).
// Dynamic imports stay lazy inside the file (evaluated on first use), they are just not separate.
const cjs = sea || pkg.bundle?.format === 'cjs';
// "bundle": {"after": "scripts/x.cjs"}: a package's own step once the bundle is written (both CLIs
// warm V8's code cache with it).
const after = sea ? undefined : pkg.bundle?.after;

// Optional packages a dependency imports inside try/catch, for features this project does not use
// (@redis/client's `digest` helper, and its OpenTelemetry metrics, required by its CommonJS build):
// bundled as a module that throws, so the package carries no import of something it does not ship,
// and the dependency's own catch says the feature is missing.
const OPTIONAL_ABSENT = ['@node-rs/xxhash', '@opentelemetry/api'];
const optionalAbsent = {
  name: 'optional-absent',
  setup(b) {
    const filter = new RegExp(`^(${OPTIONAL_ABSENT.map((n) => n.replace(/[/.]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'optional-absent' }));
    b.onLoad({ filter: /.*/, namespace: 'optional-absent' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not bundled`)});`,
    }));
  },
};

// BUNDLE_NO_MINIFY=1 (for CPU profiles): names kept, whitespace and comments still dropped, since the
// computed-import check below reads the text and dependencies' comments mention import().
const minifyOptions = process.env.BUNDLE_NO_MINIFY
  ? { minifyWhitespace: true, minifySyntax: true }
  : { minify: true };

// "bundle": {"workers": {"NAME": "src/x.ts"}}: a worker thread's entry, bundled on its own into one
// CommonJS text that the bundle gets as the constant NAME and starts with new Worker(text, {eval:
// true}): a single-file executable has no file beside it to start a worker from, and the text is
// compiled by the worker alone, not by every start. It may require only built-ins.
const workerTexts = {};
for (const [constant, entry] of Object.entries(pkg.bundle?.workers ?? {})) {
  const worker = await build({
    entryPoints: [join(dir, entry)],
    plugins: [optionalAbsent],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: sea ? 'node24' : 'node20',
    conditions: ['source'],
    ...minifyOptions,
    legalComments: 'inline',
    logLevel: 'warning',
    metafile: true,
  });
  const external = Object.values(worker.metafile.outputs)
    .flatMap((o) => o.imports)
    .filter((i) => i.kind === 'dynamic-import' || !isBuiltin(i.path));
  if (external.length > 0)
    throw new Error(
      `${name}: worker ${entry} imports ${external.map((i) => i.path).join(', ')} (built-ins only)`,
    );
  workerTexts[constant] = JSON.stringify(worker.outputFiles[0].text);
}

// Split chunks have hashed names: without this, chunks (or code caches) of earlier builds stay beside
// the new ones (and the npm packaging would carry, and check, them too).
if (!sea) rmSync(join(dir, 'dist'), { recursive: true, force: true });

const built = await build({
  entryPoints: [join(dir, 'src', 'cli.ts')],
  plugins: [optionalAbsent],
  ...(sea
    ? { outfile: seaOut }
    : cjs
      ? { outfile: join(dir, 'dist', 'cli.cjs') }
      : { outdir: join(dir, 'dist') }),
  bundle: true,
  // Lazily imported modules (profiles, zod, noble) go to their own chunks so that the
  // common path does not parse them.
  splitting: !cjs,
  format: cjs ? 'cjs' : 'esm',
  platform: 'node',
  target: sea ? 'node24' : 'node20',
  conditions: ['source'],
  ...minifyOptions,
  sourcemap: sea ? false : 'linked',
  // A SEA keeps the licences of what it bundles at the end of its one file.
  legalComments: sea ? 'eof' : 'linked',
  define: {
    __SPA_VERSION__: JSON.stringify(version),
    __SPA_CODE_ID__: JSON.stringify(codeId()),
    ...workerTexts,
  },
  // CommonJS dependencies (commander) call require() for node built-ins; ESM output needs a real one.
  banner: cjs
    ? {}
    : { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: 'warning',
  metafile: true,
});

// A CommonJS bundle runs as a vm.Script (scripts/run-bundle.cjs), which has no module loader: an
// import() esbuild left in it would fail only when that path runs. Nor may it require a package it
// does not carry (esbuild leaves a require inside try/catch that it cannot resolve).
if (cjs) {
  const left = Object.values(built.metafile.outputs)
    .flatMap((o) => o.imports)
    .filter((i) => i.kind === 'dynamic-import' || (i.external && !isBuiltin(i.path)));
  if (left.length > 0)
    throw new Error(
      `${name}: the bundle keeps ${left.map((i) => `${i.kind} of ${i.path}`).join(', ')} (bundle it, or list it in OPTIONAL_ABSENT; a built-in: process.getBuiltinModule)`,
    );
  // An import() or require() of a computed name is in no metafile: the text shows it (and would
  // show one in a string too, which no bundle has needed).
  for (const file of Object.keys(built.metafile.outputs).filter((f) => f.endsWith('.cjs'))) {
    const computed = /\bimport\(|\brequire\((?!["'])/.exec(readFileSync(resolve(file), 'latin1'));
    if (computed)
      throw new Error(
        `${name}: ${file} keeps ${computed[0]} of a computed name, which a vm.Script cannot load (name the module)`,
      );
  }
}

// The bin of a CommonJS bundle runs it through this, with the code cache its `after` step made.
if (cjs && !sea) copyFileSync(join(root, 'scripts', 'run-bundle.cjs'), join(dir, 'dist', 'run-bundle.cjs'));
if (after) execFileSync(process.execPath, [join(dir, after)], { cwd: dir, stdio: 'inherit' });
