/** The version `--version` prints: injected by the bundler, a placeholder when running from sources. @module */

// `typeof` of an undeclared global is safe, so unbundled sources (vitest, tsx) fall back quietly.
export const VERSION: string = typeof __SPA_VERSION__ === 'string' ? __SPA_VERSION__ : '0.0.0-dev';
