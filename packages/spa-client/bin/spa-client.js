#!/usr/bin/env node
// CommonJS (bin/package.json): no ESM loader starts for a knock. See scripts/run-bundle.cjs.
require('../dist/run-bundle.cjs').runBundle();
