/** Runs a CLI's dist/cli.cjs through vm.Script with a V8 code cache made at build time, or makes that cache. @module */
'use strict';
// Copied into each CommonJS-bundled package's dist/ by scripts/bundle.mjs (one source, two CLIs);
// the package's bin requires it from there.
const { createHash } = require('node:crypto');
const { isAscii } = require('node:buffer');
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLE = join(__dirname, 'cli.cjs');
const DIGEST_SIZE = 32;
const WRAPPER = '(function (exports, require, module, __filename, __dirname) {';

/**
 * The cache for the V8 flags this process runs with. V8 rejects a cache made under other flags, the
 * heap's sizes included (the daemon's unit sets two), so each flag set the build expects has its own
 * file: cli.cjs.cache without flags, cli.cjs.FLAGS.cache with, FLAGS a digest of the sorted flags.
 */
function cachePath() {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]
    .filter((f) => f !== '')
    .sort();
  if (flags.length === 0) return `${BUNDLE}.cache`;
  return `${BUNDLE}.${createHash('sha256').update(flags.join('\0')).digest('hex').slice(0, 12)}.cache`;
}

/**
 * Compiling the bundle and the functions a run needs costs milliseconds (the client's knock) to tens
 * of them (the daemon's start); from the cache it is a deserialisation. The file is
 * SHA-256(V8 version, CPU, wrapper, bundle) || SHA-256(data) || data, used only when both digests
 * match: V8 compares only the source's length, and does not checksum the data in release builds (a
 * damaged cache crashes the process). A cache made by another V8 or for another CPU (an npm tarball
 * carries the build machine's) is not handed to V8 at all; V8 itself rejects one made under other
 * flags. In every such case the bundle compiles as usual. Returns the compiled script.
 */
function compileBundle({ makeCache = false } = {}) {
  const bytes = readFileSync(BUNDLE);
  // Over the file's bytes and the wrapper: hashing a megabyte string first encodes it to UTF-8 again.
  const digest = createHash('sha256')
    .update(`${process.versions.v8}\0${process.arch}\0`)
    .update(WRAPPER)
    .update(bytes)
    .digest();
  // esbuild writes ASCII (it escapes the rest), which latin1 makes into the same string without
  // UTF-8's decoding; a bundle that is not ASCII (a build that kept comments) is decoded as UTF-8.
  const text = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const source = `${WRAPPER}${text}\n})`;
  const cache = cachePath();
  let cachedData;
  if (!makeCache) {
    try {
      const saved = readFileSync(cache);
      const data = saved.subarray(2 * DIGEST_SIZE);
      const dataDigest = createHash('sha256').update(data).digest();
      if (
        saved.subarray(0, DIGEST_SIZE).equals(digest) &&
        saved.subarray(DIGEST_SIZE, 2 * DIGEST_SIZE).equals(dataDigest)
      ) {
        cachedData = data;
      }
    } catch {
      // no cache for these flags (a test build, or removed): compile as usual
    }
  }
  const script = new Script(source, { filename: BUNDLE, cachedData });
  if (makeCache) {
    // After the run, the cache also holds every function the run compiled, not just the top level.
    process.once('exit', () => {
      const data = script.createCachedData();
      writeFileSync(
        `${cache}.tmp`,
        Buffer.concat([digest, createHash('sha256').update(data).digest(), data]),
      );
      renameSync(`${cache}.tmp`, cache);
    });
  }
  return script;
}

/** Runs the bundle (compiled from its cache when one fits); `makeCache` saves the cache at exit instead. */
function runBundle({ makeCache = false } = {}) {
  const script = compileBundle({ makeCache });
  const module_ = { exports: {} };
  // The bundle requires only node: built-ins, which any require() resolves alike.
  script.runInThisContext()(module_.exports, require, module_, BUNDLE, __dirname);
}

module.exports = { compileBundle, runBundle };
