/** Sums vitest JSON reports and extra check results into the one closing line CI reads: `N passed, N failed[, N skipped]`. @module */
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const arg of process.argv.slice(2)) {
  // "check:NAME=0" is a non-vitest step (lint, typecheck) counted as one test by its exit code.
  const check = /^check:(.+)=(\d+)$/.exec(arg);
  if (check) {
    if (check[2] === '0') passed++;
    else failed++;
    continue;
  }
  if (!existsSync(arg)) {
    // A suite that produced no report crashed before finishing: count it as a failure.
    console.error(`no report ${arg}`);
    failed++;
    continue;
  }
  const r = JSON.parse(readFileSync(arg, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  // A file that failed without a failed test (it did not load, or its beforeAll threw and every test
  // was skipped) fails the run too: skipped tests alone would read as a pass.
  failed += r.testResults.filter(
    (f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'),
  ).length;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
