/** Builds the npm tarballs of the two CLIs (@spa-suite/server, @spa-suite/client): self-contained bundles, no dependencies. @module */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The names on the registry. `spa-server` there is an unrelated package, so both CLIs live under one
 * scope; the commands people type stay `spa-server` and `spa-client` (the `bin` names).
 */
export const NPM_PACKAGES = [
  {
    workspace: 'spa-server',
    name: '@spa-suite/server',
    description: 'Single Packet Authorization server: ports stay closed until a signed UDP knock opens them.',
    files: ['bin', 'dist', 'systemd', 'README.md'],
  },
  {
    workspace: 'spa-client',
    name: '@spa-suite/client',
    description: 'Single Packet Authorization client: one signed UDP knock opens a port for your address.',
    files: ['bin', 'dist', 'README.md'],
  },
];

/**
 * Why a staging directory and not the workspace package itself: the workspace manifests must keep
 * `spa-protocol: workspace:*` and the `source` export conditions for development, and pnpm's
 * publishConfig can override fields but not drop a dependency. The bundles already inline every
 * runtime dependency (scripts/bundle.mjs), so the published manifest is written here, from scratch,
 * with no `dependencies` at all: `npm install -g ./x.tgz` needs neither a registry nor the workspace.
 */
function stage(pkg, into) {
  const dir = join(root, 'packages', pkg.workspace);
  const source = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const entry of pkg.files) {
    cpSync(join(dir, entry), join(into, entry), {
      recursive: true,
      // Source maps point at workspace paths and double the size; the LEGAL.txt files (licences of
      // the inlined dependencies) stay.
      filter: (path) => !path.endsWith('.map'),
    });
  }
  const manifest = {
    name: pkg.name,
    version: source.version,
    description: pkg.description,
    license: source.license,
    type: source.type,
    engines: source.engines,
    bin: source.bin,
    files: pkg.files,
    repository: {
      type: 'git',
      url: 'git+https://github.com/spa-suite/spa-suite.git',
      directory: `packages/${pkg.workspace}`,
    },
    keywords: ['spa', 'single-packet-authorization', 'port-knocking', 'nftables', 'ed25519'],
  };
  writeFileSync(join(into, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  assertSelfContained(into, manifest);
  return manifest;
}

/**
 * Refuses to pack anything that still reaches outside the package: every module specifier in the
 * shipped code must be relative or a Node built-in, and the manifest has no dependencies at all.
 */
function assertSelfContained(dir, manifest) {
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    if (manifest[field]) throw new Error(`${manifest.name}: package.json has ${field}`);
  }
  const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s*)["']([\w@./:-]+)["']/g;
  for (const entry of readdirSync(dir, { recursive: true })) {
    if (!/\.[cm]?js$/.test(entry)) continue;
    const text = readFileSync(join(dir, entry), 'utf8');
    for (const [, name] of text.matchAll(specifier)) {
      if (name.startsWith('./') || name.startsWith('../') || isBuiltin(name)) continue;
      throw new Error(`${manifest.name}: ${entry} imports "${name}", which the package does not carry`);
    }
  }
}

/** Bundles both CLIs, stages each package and runs `pnpm pack` on it; returns [{name, file, bytes}]. */
export function buildNpmTarballs(outDir, { build = true } = {}) {
  mkdirSync(outDir, { recursive: true });
  if (build) {
    for (const { workspace } of NPM_PACKAGES) {
      execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs'), workspace], { stdio: 'inherit' });
    }
  }
  const results = [];
  for (const pkg of NPM_PACKAGES) {
    // Outside the repository: pnpm would otherwise treat the directory as part of the workspace.
    const staging = mkdtempSync(join(tmpdir(), 'spa-npm-stage-'));
    try {
      const manifest = stage(pkg, staging);
      const output = execFileSync('pnpm', ['pack', '--json', '--pack-destination', outDir], {
        cwd: staging,
        encoding: 'utf8',
      });
      const file = JSON.parse(output).filename;
      results.push({ name: manifest.name, version: manifest.version, file, bytes: statSync(file).size });
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return results;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Usage: node scripts/build-npm.mjs [OUT_DIR] [--no-build]   (default OUT_DIR: artifacts/npm)
  const args = process.argv.slice(2);
  const outDir = resolve(args.find((a) => !a.startsWith('--')) ?? join(root, 'artifacts', 'npm'));
  for (const result of buildNpmTarballs(outDir, { build: !args.includes('--no-build') })) {
    console.log(`${result.file}\t${result.bytes} bytes`);
  }
}
