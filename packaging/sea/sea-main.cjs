/** A single executable's main script: runs the bundle (an SEA asset) with V8's code cache of a warm run, or makes that cache. @module */
'use strict';
// Node's own SEA code cache ("useCodeCache") is made by compiling the main script, so it holds only
// the top level: every function a command runs is still compiled from source at first call (~6 ms of
// a knock). A cache taken after a dry-run knock (V8's createCachedData) holds those functions too.
// It is the bundle's, compiled by this loader through vm.Script, and made at build time by the same
// Node binary (V8 rejects a cache from another version or other flags, and then compiles as usual).
const sea = require('node:sea');
const { Script } = require('node:vm');

const CODE = 'cli.cjs';
const CACHE = 'cli.cache';
const wrap = (code) => `(function (exports, require, module, __filename, __dirname) {${code}\n})`;

/** Runs the bundle in this process; `afterRun` gets the compiled script once the process exits. */
function runBundle(code, cachedData, filename, afterRun) {
  const script = new Script(wrap(code), { filename, cachedData });
  if (afterRun) process.once('exit', () => afterRun(script));
  const module_ = { exports: {} };
  // The bundle requires only node: built-ins, which any require() resolves alike.
  script.runInThisContext()(module_.exports, require, module_, filename, '.');
}

if (sea.isSea()) {
  let cachedData;
  try {
    // The asset is part of the executable, so it is as intact as the code that reads it.
    cachedData = new Uint8Array(sea.getRawAsset(CACHE));
  } catch {
    // built without a cache (an arm64 build without qemu): compile as usual
  }
  runBundle(sea.getAsset(CODE, 'utf8'), cachedData, CODE);
} else {
  // Build step: node sea-main.cjs BUNDLE CACHE_OUT ARGS…: runs the bundle with ARGS, then writes the cache.
  const { readFileSync, writeFileSync } = require('node:fs');
  const [bundle, cacheOut, ...args] = process.argv.slice(2);
  if (!bundle || !cacheOut) throw new Error('usage: sea-main.cjs BUNDLE CACHE_OUT ARGS...');
  process.argv = [process.argv[0], bundle, ...args];
  runBundle(readFileSync(bundle, 'utf8'), undefined, CODE, (script) => {
    if (process.exitCode) throw new Error(`warm run failed with exit code ${process.exitCode}`);
    writeFileSync(cacheOut, script.createCachedData());
  });
}
