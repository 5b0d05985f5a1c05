#!/usr/bin/env node
// CommonJS (bin/package.json): no ESM loader, and the bundle compiles from its code cache.
// See scripts/run-bundle.cjs.
require('../dist/run-bundle.cjs').runBundle();
