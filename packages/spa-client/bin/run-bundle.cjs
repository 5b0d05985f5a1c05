/** Runs dist/cli.cjs through vm.Script with the V8 code cache made at build time, or makes that cache. @module */
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLE = join(__dirname, '..', 'dist', 'cli.cjs');
const CACHE = `${BUNDLE}.cache`;
const DIGEST_SIZE = 32;

/**
 * Compiling the bundle and the functions a knock runs costs ~6 ms of a ~70 ms process; from the
 * cache it is a deserialisation. The file is SHA-256(source) || SHA-256(data) || data, and is used
 * only when both match: V8 compares only the source's length, and does not checksum the data in
 * release builds (a damaged cache crashes the process). V8 rejects a cache from another Node
 * version; in every such case the bundle compiles as usual.
 */
function runBundle({ makeCache = false } = {}) {
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(BUNDLE, 'utf8')}\n})`;
  const digest = createHash('sha256').update(source).digest();
  let cachedData;
  if (!makeCache) {
    try {
      const cache = readFileSync(CACHE);
      const data = cache.subarray(2 * DIGEST_SIZE);
      const dataDigest = createHash('sha256').update(data).digest();
      if (
        cache.subarray(0, DIGEST_SIZE).equals(digest) &&
        cache.subarray(DIGEST_SIZE, 2 * DIGEST_SIZE).equals(dataDigest)
      ) {
        cachedData = data;
      }
    } catch {
      // no cache (a test build, or removed): compile as usual
    }
  }
  const script = new Script(source, { filename: BUNDLE, cachedData });
  if (makeCache) {
    // After the run, the cache also holds every function the run compiled, not just the top level.
    process.once('exit', () => {
      const data = script.createCachedData();
      writeFileSync(
        `${CACHE}.tmp`,
        Buffer.concat([digest, createHash('sha256').update(data).digest(), data]),
      );
      renameSync(`${CACHE}.tmp`, CACHE);
    });
  }
  const module_ = { exports: {} };
  // The bundle requires only node: built-ins, which any require() resolves alike.
  script.runInThisContext()(module_.exports, require, module_, BUNDLE, join(BUNDLE, '..'));
}

module.exports = { runBundle };
