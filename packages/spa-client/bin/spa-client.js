#!/usr/bin/env node
// CommonJS (bin/package.json): no ESM loader starts for a knock. See run-bundle.cjs.
require('./run-bundle.cjs').runBundle();
