#!/usr/bin/env node
// CommonJS (bin/package.json): the bundle is dist/cli.cjs, and a CommonJS entry keeps Node's ESM
// loader out of the start-up of every knock (see scripts/bundle.mjs).
require('../dist/cli.cjs');
