/**
 * The import rules of the workspace, checked by `pnpm run lint:deps` (dependency-cruiser).
 * Layers of spa-server/src, top to bottom: cli → daemon → pipeline → replay, grants → firewall;
 * config, observability and shared are leaves that any layer may use.
 */

const SERVER = '^packages/spa-server/src/';
const CLI = `${SERVER}(cli[.]ts$|cli/)`;
const DAEMON = `${SERVER}daemon/`;
const PIPELINE = `${SERVER}pipeline/`;
const MIDDLE = `${SERVER}(replay|grants)/`;
const FIREWALL = `${SERVER}firewall/`;
const LEAVES = `${SERVER}(config|observability|shared)/`;
/** Tests of a layer may drive it with the layers above it; only product modules are layered. */
const TEST = '[.]test[.]ts$';
/** A rule that forbids `from` to import any of `to` (paths as regular expressions). */
function upward(name, from, to) {
  return {
    name,
    severity: 'error',
    comment: 'spa-server layers import only downward: cli → daemon → pipeline → replay, grants → firewall',
    from: { path: from, pathNot: TEST },
    to: { path: to },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle makes two modules one unit that no layer owns; move the shared piece down.',
      from: {},
      to: { circular: true },
    },
    upward('daemon-not-up', DAEMON, CLI),
    upward('pipeline-not-up', PIPELINE, `${CLI}|${DAEMON}`),
    upward('replay-grants-not-up', MIDDLE, `${CLI}|${DAEMON}|${PIPELINE}`),
    upward('firewall-not-up', FIREWALL, `${CLI}|${DAEMON}|${PIPELINE}|${MIDDLE}`),
    {
      name: 'leaves-stay-leaves',
      severity: 'error',
      comment: 'config, observability and shared are used by every layer, so they import none of them.',
      from: { path: LEAVES, pathNot: TEST },
      to: { path: SERVER, pathNot: LEAVES },
    },
    {
      name: 'packages-by-name',
      severity: 'error',
      comment: 'A package reaches another only through its name and exports, never its src/ by path.',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/([^/]+)/', pathNot: '^packages/$1/', dependencyTypes: ['local'] },
    },
    {
      name: 'packages-not-into-src-by-path',
      severity: 'error',
      comment: 'Code outside packages/ imports a package by its name, not by a relative path into its src/.',
      from: { path: '^(test|bench|demo|action|scripts|packaging)/' },
      to: { path: '^packages/[^/]+/src/', dependencyTypes: ['local'] },
    },
    {
      name: 'protocol-no-node',
      severity: 'error',
      comment: 'spa-protocol is pure: it runs anywhere, so it touches no Node built-in.',
      from: { path: '^packages/spa-protocol/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'protocol-self-contained',
      severity: 'error',
      comment: 'spa-protocol imports only itself and its declared dependencies.',
      from: { path: '^packages/spa-protocol/src/' },
      to: {
        pathNot: '^packages/spa-protocol/src/',
        dependencyTypesNot: ['npm'],
      },
    },
    {
      name: 'product-not-test-code',
      severity: 'error',
      comment: 'Product code never depends on the test kit, tests or benchmarks.',
      from: { path: '^(packages/(spa-[^/]+)/src/|action/src/)', pathNot: '[.]test[.]ts$' },
      to: { path: '^(packages/test-kit/|packages/[^/]+/test/|test/|bench/)' },
    },
    {
      name: 'resolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a missing dependency (pnpm links only declared ones).',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'declared-dependencies-only',
      severity: 'error',
      comment: 'A package imports only the npm packages its package.json declares.',
      from: { path: '^packages/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      conditionNames: ['source', 'import', 'require', 'node', 'default'],
      exportsFields: ['exports'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
